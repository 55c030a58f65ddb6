#!/usr/bin/env python3
# Fits the float32 conversion polynomials of native/monoid.h (expReduced<6>, atanhSeries<4>):
# weighted least squares on Chebyshev points, reweighted towards minimax (Lawson), leading
# coefficients kept exact; prints each degree's max error and the coefficients as hex doubles.
#   python3 bench/probes/fit-conversions.py   (numpy)
import numpy as np
L=np.longdouble
def fit(f, lo, hi, deg, weight, iters=60):
    x=np.cos(np.linspace(0,np.pi,4001))*(hi-lo)/2+(hi+lo)/2
    xl=x.astype(L); y=f(xl); w=weight(xl)
    ww=np.ones_like(x)
    for it in range(iters):
        V=np.vander(x,deg+1,increasing=True)
        c,*_=np.linalg.lstsq(V*(w*ww)[:,None].astype(float), (y*w*ww).astype(float), rcond=None)
        err=np.abs((np.polyval(c[::-1].astype(L),xl)-y)*w).astype(float)
        ww=ww*(err+1e-30)**0.5; ww/=ww.max()
    return c
# exp: e^r = 1 + r + r^2 q(r), |r|<=ln2/2; relative error of e^r
h=np.log(2)/2
for deg in (3,4,5):
    q=fit(lambda r: np.where(np.abs(r)>1e-6,(np.exp(r)-1-r)/np.where(r==0,1,r*r),0.5+r/6), -h,h,deg, lambda r: (r*r)/np.exp(r))
    rr=np.linspace(-h,h,200001).astype(L)
    c=[1.0,1.0]+list(q)
    # evaluate in double with estrin-like order approximated by polyval in double
    p=np.polyval(np.array(c[::-1]),rr.astype(float)).astype(L)
    print('exp deg',deg+2,'max rel err', float(np.max(np.abs(p/np.exp(rr)-1))), [float.hex(float(v)) for v in c])
# log: log f = 2 s (1 + s^2 p(s^2)), s in [-(sqrt2-1)/(sqrt2+1), ...]
sm=(np.sqrt(2)-1)/(np.sqrt(2)+1); um=sm*sm
for deg in (1,2,3):
    # atanh(s)/s = 1 + u*g(u); g(u)=(atanh(sqrt u)/sqrt u - 1)/u
    g=lambda u: np.where(u>1e-8,(np.arctanh(np.sqrt(u))/np.sqrt(np.where(u>0,u,1))-1)/np.where(u>0,u,1), 1/3+u/5)
    cc=fit(g,0,um,deg, lambda u: 2*np.sqrt(u)*u)  # absolute error in log: 2 s u * err
    ss=np.linspace(-sm,sm,200001)
    u=ss*ss
    p=2*ss*(1+u*np.polyval(cc[::-1],u))
    ref=2*np.arctanh(ss.astype(L))
    print('log terms',deg+2,'max abs err',float(np.max(np.abs(p.astype(L)-ref))), [float.hex(float(v)) for v in [1.0]+list(cc)])
