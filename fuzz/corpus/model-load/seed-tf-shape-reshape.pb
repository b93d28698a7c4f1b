
6
xPlaceholder*
dtype0*
shape:
&
sShapex*
T0*
out_type0

rReshapexs*
T0

outRelur*
T0