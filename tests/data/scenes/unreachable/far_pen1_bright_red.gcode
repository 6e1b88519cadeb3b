; one short path
G0 X0 Y5
G1 X10 Y5
