; 2 right paths (bright_red), each a 10 mm line
G0 X5 Y10
G1 X15 Y10
G0 X5 Y-10
G1 X15 Y-10
