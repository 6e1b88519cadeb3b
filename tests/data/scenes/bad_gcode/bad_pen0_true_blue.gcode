; broken fixture: line 6 has a typo the robot cannot read (the letter O for a zero)
G21
G90
G0 X0 Y0
G1 X10 Y0
G1 X10 Y1O
G1 X0 Y10
