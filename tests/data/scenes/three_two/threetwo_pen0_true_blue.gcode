; 3 left paths (true_blue), each a 10 mm line
G0 X-10 Y10
G1 X0 Y10
G0 X-10 Y0
G1 X0 Y0
G0 X-10 Y-10
G1 X0 Y-10
