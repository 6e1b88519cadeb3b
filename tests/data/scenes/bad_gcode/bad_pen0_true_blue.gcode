; broken fixture: line 6 is garbage
G21
G90
G0 X0 Y0
G1 X10 Y0
#@! garbage
G1 X0 Y10
