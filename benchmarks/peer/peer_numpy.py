#!/usr/bin/env python3
"""NumPy/SciPy peer of the Java training loop, for CoreBenchmark (issue: Performance).

Reads a one-run ``--dump`` JSON (config, data, initial parameters, the Java loss trajectory),
trains the same general DEQ by full-batch gradient descent for the same number of steps with the
same algorithm as solver-core, and writes its loss trajectory, iteration counts and timings as JSON.

Mirrored from solver-core (DESIGN 2.1, 3), so that iteration counts match and the losses agree
to round-off:
  model/DeqObjective.evaluate  warm-started forward solve, D = act'(Z A^T + U), loss, g_i = 2c r_i v,
                              adjoint by grad_mode, mu = D o nu, dA = Mu^T Z, dW = Mu^T X,
                              db = colsum Mu, dv = Z^T (2c r)
  train/Trainer (gd)          evaluate at steps 0..N (gradient each time), theta -= eta grad between
  solve/DirectLinearSolver    Z = U (I - A^T)^{-1}
  solve/PicardSolver          damped Picard, best iterate kept
  solve/AndersonSolver,       safeguarded per-sample Anderson (AndersonCore): relative Tikhonov
  solve/IterativeAdjointSolver  lambda * max diag, Cholesky pivot test, restarts, best iterate
  solve/DirectAdjointSolver   per-sample LU of I - s A^T D_i (one factorisation when all D_i agree)
Only the training loop is timed (not JSON parsing). BLAS is pinned to one thread before numpy is
imported, as the benchmark requires.

usage: peer_numpy.py DUMP.json --out PEER.json [--reps R] [--warmup W] [--steps N] [--serve]
With --serve it loads the dump, then trains once per "run" line on stdin (printing one JSON line
with that run's wall and thread-CPU seconds) until "quit", so the benchmark can interleave Java and
peer runs on a shared machine; the output file is written at "quit".
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
           "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.linalg as sla  # noqa: E402
import scipy.special as sps  # noqa: E402

TINY = 1e-300
RCOND_MIN = 1e-12  # AndersonCore.RCOND_MIN
LEAKY = 0.01
SQRT_2_OVER_PI = np.sqrt(2.0 / np.pi)
GELU_C = 0.044715
INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)


# ----------------------------------------------------------------------------- activations

def _sigmoid(u):
    out = np.empty_like(u)
    pos = u >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-u[pos]))
    e = np.exp(u[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def act_apply(name, u, eps):
    if name == "identity":
        return u.copy()
    if name == "tanh":
        return np.tanh(u)
    if name == "sigmoid":
        return _sigmoid(u)
    if name == "softplus":
        with np.errstate(over="ignore"):
            return np.where(u > 30, u + np.log1p(np.exp(-u)), np.log1p(np.exp(u)))
    if name == "relu":
        return np.where(u > 0, u, 0.0)
    if name == "leaky_relu":
        return np.where(u > 0, u, LEAKY * u)
    if name == "elu":
        return np.where(u > 0, u, np.expm1(np.minimum(u, 0.0)))
    if name == "gelu":
        return 0.5 * u * (1.0 + np.tanh(SQRT_2_OVER_PI * (u + GELU_C * u * u * u)))
    if name == "gelu_erf":
        return u * (0.5 * sps.erfc(-u / np.sqrt(2.0)))
    if name == "silu":
        return u * _sigmoid(u)
    if name == "sin":
        return np.sin(u)
    if name == "weak_tanh":
        return u + eps * np.tanh(u)
    raise ValueError("activation not mirrored: " + name)


def act_derivative(name, u, eps):
    if name == "identity":
        return np.ones_like(u)
    if name == "tanh":
        t = np.tanh(u)
        return 1.0 - t * t
    if name == "sigmoid":
        s = _sigmoid(u)
        return s * (1.0 - s)
    if name == "softplus":
        return _sigmoid(u)
    if name == "relu":
        return np.where(u > 0, 1.0, 0.0)
    if name == "leaky_relu":
        return np.where(u > 0, 1.0, LEAKY)
    if name == "elu":
        return np.where(u > 0, 1.0, np.exp(np.minimum(u, 0.0)))
    if name == "gelu":
        inner = SQRT_2_OVER_PI * (u + GELU_C * u * u * u)
        t = np.tanh(inner)
        d_inner = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_C * u * u)
        return 0.5 * (1.0 + t) + 0.5 * u * (1.0 - t * t) * d_inner
    if name == "gelu_erf":
        return 0.5 * sps.erfc(-u / np.sqrt(2.0)) + u * INV_SQRT_2PI * np.exp(-0.5 * u * u)
    if name == "silu":
        s = _sigmoid(u)
        return s * (1.0 + u * (1.0 - s))
    if name == "sin":
        return np.cos(u)
    if name == "weak_tanh":
        t = np.tanh(u)
        return 1.0 + eps * (1.0 - t * t)
    raise ValueError("activation not mirrored: " + name)


# ----------------------------------------------------------------------------- solvers

def residual(z, f):
    """|Z - F|_F / max(|Z|_F, 1e-300) (Batch.residual; overflow branch not mirrored)."""
    with np.errstate(over="ignore", invalid="ignore"):
        num = np.sqrt(np.sum((z - f) ** 2))
        den = np.sqrt(np.sum(z * z))
        return float(num / max(den, TINY))


class Anderson:
    """AndersonCore: per-sample safeguarded Anderson mixing, vectorised over samples."""

    def __init__(self, memory, beta, lam):
        self.memory, self.beta, self.lam = memory, beta, lam
        self.shape = None
        self.restarts = 0

    def _configure(self, n, m):
        if self.shape == (n, m):
            return
        self.shape = (n, m)
        k = self.memory
        self.xh = np.zeros((k, n, m))
        self.fh = np.zeros((k, n, m))
        self.gh = np.zeros((k, n, m))
        self.gram = np.zeros((n, k, k))
        self.count = np.zeros(n, dtype=np.int64)

    def solve(self, tmap, z, tol, max_iter):
        """z: (n, m) in/out. Returns (converged, iterations, residual)."""
        n, m = z.shape
        self._configure(n, m)
        self.restarts = 0
        self.count[:] = 0
        mem, beta = self.memory, self.beta
        fcur = tmap(z)
        res = residual(z, fcur)
        best_res = res
        best = z.copy()
        z_is_best = True
        it = 0
        head = -1
        filled = 0
        while not (res <= tol) and it < max_iter and np.isfinite(res):
            head = (head + 1) % mem
            filled = min(filled + 1, mem)
            self.xh[head] = z
            self.fh[head] = fcur
            gs = self.gh[head]
            np.subtract(fcur, z, out=gs)
            for b in range(filled):
                dot = np.einsum("ij,ij->i", gs, self.gh[b])
                self.gram[:, head, b] = dot
                self.gram[:, b, head] = dot
            self.count = np.minimum(self.count + 1, filled)
            self._mix(z, head)
            it += 1
            fcur = tmap(z)
            res = residual(z, fcur)
            if res < best_res:
                best_res = res
                best[...] = z
                z_is_best = True
            else:
                z_is_best = False
        if not z_is_best:
            z[...] = best
        return best_res <= tol, it, best_res

    def _mix(self, z, head):
        mem, beta = self.memory, self.beta
        count = self.count
        plain = np.zeros(z.shape[0], dtype=bool)
        for k in range(1, mem + 1):
            rows = np.nonzero(count == k)[0]
            if rows.size == 0:
                continue
            if k == 1:
                plain[rows] = True
                continue
            slots = [(head - j + mem) % mem for j in range(k)]
            w, ok = self._weights(rows, slots)
            bad = rows[~ok]
            if bad.size:
                self.restarts += bad.size
                count[bad] = 1
                plain[bad] = True
            good = rows[ok]
            if good.size == 0:
                continue
            wg = w[ok]
            acc = np.zeros((good.size, z.shape[1]))
            for j, s in enumerate(slots):
                acc += wg[:, j:j + 1] * (beta * self.fh[s, good] + (1 - beta) * self.xh[s, good])
            fin = np.all(np.isfinite(acc), axis=1)
            if not np.all(fin):
                self.restarts += int(np.sum(~fin))
                count[good[~fin]] = 1
                plain[good[~fin]] = True
            z[good[fin]] = acc[fin]
        if np.any(plain):
            z[plain] = beta * self.fh[head, plain] + (1 - beta) * self.xh[head, plain]

    def _weights(self, rows, slots):
        """(H + lam' I) w = 1 by Cholesky for each row, w normalised; ok False where AndersonCore refuses."""
        k = len(slots)
        sl = np.array(slots)
        H = self.gram[rows][:, sl][:, :, sl]  # (r, k, k)
        r = rows.size
        diag = np.einsum("rii->ri", H)
        max_diag = np.max(diag, axis=1)
        ok = (max_diag > 0) & np.isfinite(max_diag)
        reg = self.lam * max_diag
        L = np.zeros((r, k, k))
        min_piv = np.full(r, np.inf)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            for a in range(k):
                for b in range(a + 1):
                    v = H[:, a, b] + (reg if a == b else 0.0)
                    for q in range(b):
                        v = v - L[:, a, q] * L[:, b, q]
                    if a == b:
                        ok &= v > 0
                        min_piv = np.minimum(min_piv, np.where(v > 0, v, np.inf))
                        L[:, a, a] = np.sqrt(np.where(v > 0, v, 1.0))
                    else:
                        L[:, a, b] = v / L[:, b, b]
            ok &= ~(min_piv < RCOND_MIN * (max_diag + reg))
            w = np.zeros((r, k))
            for a in range(k):
                v = np.ones(r)
                for q in range(a):
                    v = v - L[:, a, q] * w[:, q]
                w[:, a] = v / L[:, a, a]
            for a in range(k - 1, -1, -1):
                v = w[:, a]
                for q in range(a + 1, k):
                    v = v - L[:, q, a] * w[:, q]
                w[:, a] = v / L[:, a, a]
            s = np.sum(w, axis=1)
            ok &= np.isfinite(s) & (s != 0)
            w = w / np.where(ok, s, 1.0)[:, None]
            ok &= np.all(np.isfinite(w), axis=1)
        return w, ok


class Picard:
    def __init__(self, tol, max_iter, damping):
        self.tol, self.max_iter, self.a = tol, max_iter, damping

    def solve(self, A, act, eps, U, Z):
        T = lambda x: act_apply(act, x @ A.T + U, eps)  # noqa: E731
        f = T(Z)
        res = residual(Z, f)
        best_res, best, z_is_best, it, a = res, Z.copy(), True, 0, self.a
        while not (res <= self.tol) and it < self.max_iter and np.isfinite(res):
            Z[...] = (1 - a) * Z + a * f
            it += 1
            f = T(Z)
            res = residual(Z, f)
            if res < best_res:
                best_res, z_is_best = res, True
                best[...] = Z
            else:
                z_is_best = False
        if not z_is_best:
            Z[...] = best
        return best_res <= self.tol, it, best_res


class AndersonForward:
    def __init__(self, tol, max_iter, memory, beta, lam):
        self.tol, self.max_iter = tol, max_iter
        self.core = Anderson(memory, beta, lam)

    def solve(self, A, act, eps, U, Z):
        AT = A.T
        return self.core.solve(lambda x: act_apply(act, x @ AT + U, eps), Z, self.tol, self.max_iter)


class DirectForward:
    def __init__(self, tol):
        self.tol = tol

    def solve(self, A, act, eps, U, Z):
        m = A.shape[0]
        lu = sla.lu_factor(np.eye(m) - A, check_finite=False)
        Z[...] = sla.lu_solve(lu, U.T, check_finite=False).T
        res = residual(Z, Z @ A.T + U)
        return res <= self.tol, 1, res


class DirectAdjoint:
    """(I - s A^T D_i) nu_i = g_i per sample; one LU when all rows of D agree."""

    CHUNK = 1 << 22  # doubles per batch of stacked systems

    def __init__(self, tol):
        self.tol = tol

    def solve(self, A, s, D, G, Nu):
        n, m = G.shape
        if n > 0 and np.all(D == D[0]):
            M = np.eye(m) - s * A.T * D[0][None, :]
            lu = sla.lu_factor(M, check_finite=False)
            Nu[...] = sla.lu_solve(lu, G.T, check_finite=False).T
        else:
            step = max(1, self.CHUNK // max(1, m * m))
            AT = A.T
            eye = np.eye(m)
            for i0 in range(0, n, step):
                i1 = min(n, i0 + step)
                M = eye[None, :, :] - s * AT[None, :, :] * D[i0:i1, None, :]
                Nu[i0:i1] = np.linalg.solve(M, G[i0:i1, :, None])[:, :, 0]
        res = residual(Nu, G + s * (D * Nu) @ A)
        return res <= self.tol, 1, res


class IterativeAdjoint:
    def __init__(self, tol, max_iter, memory, beta, lam):
        self.tol, self.max_iter = tol, max_iter
        self.core = Anderson(memory, beta, lam)

    def solve(self, A, s, D, G, Nu):
        return self.core.solve(lambda x: G + (s * D * x) @ A, Nu, self.tol, self.max_iter)


def forward_solver(cfg):
    kind = cfg["forward_solver"]
    if kind == "auto":
        kind = "direct" if cfg["activation"] == "identity" else "anderson"
    if kind == "direct":
        return DirectForward(cfg["forward_tol"])
    if kind == "picard":
        return Picard(cfg["forward_tol"], cfg["forward_max_iter"], cfg["forward_damping"])
    if kind == "anderson":
        return AndersonForward(cfg["forward_tol"], cfg["forward_max_iter"], cfg["anderson_memory"],
                               cfg["anderson_beta"], cfg["anderson_lambda"])
    raise ValueError("forward_solver not mirrored by the peer: " + kind)


def adjoint_solver(cfg):
    kind = cfg["backward_solver"]
    if kind == "auto":
        kind = "direct" if cfg["width"] <= 64 else "iterative"  # AdjointSolvers.AUTO_DIRECT_MAX_WIDTH
    if kind == "direct":
        return DirectAdjoint(cfg["backward_tol"])
    return IterativeAdjoint(cfg["backward_tol"], cfg["backward_max_iter"], cfg["anderson_memory"],
                            cfg["anderson_beta"], cfg["anderson_lambda"])


# ----------------------------------------------------------------------------- objective and GD

class Objective:
    """model/DeqObjective: loss and implicit gradient, warm-started fixed points."""

    def __init__(self, cfg, X, y):
        self.cfg, self.X, self.y = cfg, X, y
        n, m = X.shape[0], cfg["width"]
        self.act, self.eps = cfg["activation"], cfg["activation_eps"]
        self.c = 1.0 / n if cfg["loss"] == "mse" else 0.5 / n
        self.warm = cfg["forward_warm_start"]
        self.train_a, self.train_w = cfg["train_a"], cfg["train_w"]
        self.train_b = cfg["bias"] and cfg["train_b"]
        self.train_v = cfg["train_v"]
        mode = cfg["grad_mode"]
        self.mode, self.terms = (("neumann", int(mode.split("-")[1])) if mode.startswith("neumann-") else (mode, 0))
        self.forward = forward_solver(cfg)
        self.adjoint = adjoint_solver(cfg)
        self.z = np.zeros((n, m))
        self.nu = np.zeros((n, m))

    def evaluate(self, A, W, b, v):
        X = self.X
        U = X @ W.T + b[None, :]
        if not self.warm or not np.all(np.isfinite(self.z)):
            self.z[...] = 0.0
        fconv, fit, fres = self.forward.solve(A, self.act, self.eps, U, self.z)
        z = self.z
        pre = z @ A.T + U
        dact = act_derivative(self.act, pre, self.eps)
        r = z @ v - self.y
        loss = self.c * float(np.sum(r * r))
        r2c = 2.0 * self.c * r
        g = r2c[:, None] * v[None, :]
        bit = 0
        if self.mode == "exact" or self.mode == "damped":
            _, bit, _ = self.adjoint.solve(A, 1.0 if self.mode == "exact" else 0.5, dact, g, self.nu)
        elif self.mode == "jfb":
            self.nu[...] = g
        else:
            self.nu[...] = g
            term = g
            for _ in range(1, self.terms):
                term = (term * dact) @ A
                self.nu += term
            bit = self.terms - 1
        mu = dact * self.nu
        m = A.shape[0]
        gA = mu.T @ z if self.train_a else np.zeros_like(A)
        gW = mu.T @ X if self.train_w else np.zeros_like(W)
        gb = mu.sum(axis=0) if self.train_b else np.zeros(m)
        gv = z.T @ r2c if self.train_v else np.zeros(m)
        return loss, (gA, gW, gb, gv), fit, bit, fconv


def train(cfg, X, y, init, steps):
    """Trainer.gradientDescent for exactly `steps` steps: losses at steps 0..steps."""
    A, W, b, v = (init[0].copy(), init[1].copy(), init[2].copy(), init[3].copy())
    obj = Objective(cfg, X, y)
    eta = cfg["step_size"]
    losses = np.empty(steps + 1)
    fwd = bwd = 0
    for k in range(steps + 1):
        loss, (gA, gW, gb, gv), fit, bit, _ = obj.evaluate(A, W, b, v)
        losses[k] = loss
        fwd += fit
        bwd += bit
        if k < steps:
            A -= eta * gA
            W -= eta * gW
            b -= eta * gb
            v -= eta * gv
    return losses, fwd, bwd


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dump")
    ap.add_argument("--out", required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--steps", type=int, default=None, help="default: the dump's trajectory length - 1")
    ap.add_argument("--serve", action="store_true", help="train once per 'run' line on stdin until 'quit'")
    a = ap.parse_args(argv)
    with open(a.dump) as fh:
        dump = json.load(fh)
    cfg = dump["config"]
    if cfg.get("trainer", "gd") != "gd":
        raise SystemExit("peer_numpy: only trainer gd is mirrored")
    X = np.array(dump["data"]["x"], dtype=float).reshape(-1, cfg["d"])
    y = np.array(dump["data"]["y"], dtype=float)
    ini = dump["init"]
    init = (np.array(ini["A"], dtype=float).reshape(cfg["width"], cfg["width"]),
            np.array(ini["W"], dtype=float).reshape(cfg["width"], cfg["d"]),
            np.array(ini.get("b", [0.0] * cfg["width"]), dtype=float),
            np.array(ini["v"], dtype=float))
    steps = a.steps if a.steps is not None else len(dump["trajectory"]) - 1
    walls, cpus = [], []
    result = [None, 0, 0]

    def once():
        t0, c0 = time.perf_counter(), time.thread_time()
        result[:] = train(cfg, X, y, init, steps)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.thread_time() - c0)

    if a.serve:
        for line in sys.stdin:
            cmd = line.strip()
            if cmd == "quit":
                break
            if cmd == "run":
                once()
                print(json.dumps({"wall_s": walls[-1], "cpu_s": cpus[-1]}), flush=True)
    else:
        for _ in range(a.warmup):
            train(cfg, X, y, init, steps)
        for _ in range(max(1, a.reps)):
            once()
    losses, fwd, bwd = result
    out = {
        "steps": steps,
        "wall_s": walls,
        "cpu_s": cpus,
        "median_s": float(np.median(walls)) if walls else None,
        "median_cpu_s": float(np.median(cpus)) if cpus else None,
        "loss": None if losses is None else [float(x) if np.isfinite(x) else None for x in losses],
        "forward_iters": int(fwd),
        "backward_iters": int(bwd),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "blas": _blas_name(),
    }
    with open(a.out, "w") as fh:
        json.dump(out, fh)
    return 0


def _blas_name():
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        return "%s %s" % (blas.get("name", "?"), blas.get("version", ""))
    except Exception:  # noqa: BLE001 - informational only
        return "unknown"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
