#!/usr/bin/python3
"""authalic_bound.py - the constants of sim/footprint/local_bound.c for the map A
from an ellipsoid (semi-major axis 1, flattening e^2) to its authalic sphere
(latitude -> authalic latitude, longitude kept):

  K_A  the largest of A's east and north scales and their inverses;
  H_A  the largest |nabla dA(u, u)| over latitudes and unit directions u,
       divided by e^2 / a: A's second fundamental form, from the Christoffel
       symbols of the two surfaces of revolution (A is latitude only):
         beta part:   cos^2(al)/M^2 (beta'' - M'/M beta')
                      + sin^2(al)/p^2 (p p'/M^2 beta' + cos(beta) sin(beta))
         lambda part: 2 cos(al) sin(al)/(M p) (-p'/p - tan(beta) beta')
       (p = N cos phi, p' = -M sin phi, beta' = M p / (Rq^2 cos beta)), measured
       on the sphere (beta part times Rq, lambda part times Rq cos beta).

Evaluated on a grid of 400,001 latitudes within 89.9 degrees and 721 directions;
local_bound.c takes K_A = 1.0015 and H_A = 0.75 for e^2 <= 0.0069.
Usage: /usr/bin/python3 bench/authalic_bound.py"""
import numpy as np


def constants(es, n=400001, cap=np.radians(89.9)):
    e = np.sqrt(es)

    def qs(phi):
        s = np.sin(phi)
        if es == 0:
            return 2 * s
        return (1 - es) * (s / (1 - es * s * s) - np.log((1 - e * s) / (1 + e * s)) / (2 * e))

    qp = qs(np.pi / 2)
    rq = np.sqrt(qp / 2)

    def parts(phi):
        s, c = np.sin(phi), np.cos(phi)
        w = 1 - es * s * s
        N, M = 1 / np.sqrt(w), (1 - es) / w ** 1.5
        beta = np.arcsin(np.clip(qs(phi) / qp, -1, 1))
        return s, c, w, N, M, beta, M * N * c / (rq * rq * np.cos(beta))

    phi = np.linspace(-cap, cap, n)
    s, c, w, N, M, beta, bp = parts(phi)
    h = 1e-6
    bpp = (parts(phi + h)[6] - parts(phi - h)[6]) / (2 * h)
    Mp = 3 * (1 - es) * es * s * c / w ** 2.5
    p, pp = N * c, -M * s
    ke, kn = rq * np.cos(beta) / p, rq * bp / M
    k = np.max(np.maximum(np.maximum(ke, 1 / ke), np.maximum(kn, 1 / kn)))
    a1 = (bpp - Mp / M * bp) / M ** 2
    a2 = (p * pp / M ** 2 * bp + np.cos(beta) * np.sin(beta)) / p ** 2
    a3 = 2 * (-pp / p - np.tan(beta) * bp) / (M * p)
    worst = 0.0
    for al in np.linspace(0, np.pi, 721):
        cb, sb = np.cos(al), np.sin(al)
        worst = max(worst, np.max(np.hypot(rq * (a1 * cb * cb + a2 * sb * sb),
                                           rq * np.cos(beta) * a3 * cb * sb)))
    return k, worst


for name, es in [("WGS84/GRS80", 0.0066943799901), ("Clarke 1880", 0.0068034877),
                 ("e^2 = 0.0069", 0.0069)]:
    k, h = constants(es)
    print(f"{name:14s} e^2 {es:.10f}: K_A {k:.6f}, H_A {h / es:.4f} (x e^2 / a)")
