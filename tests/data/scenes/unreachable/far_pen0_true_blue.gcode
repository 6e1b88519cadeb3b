; one short path
G0 X0 Y0
G1 X10 Y0
