# The seed paper's recipe (Heinsen, arXiv 2311.06281) in PyTorch on the CPU: the baseline a user
# would otherwise pick. Run by bench/lib/torch.js: `python3 bench/seed_torch.py N [N ...]`;
# prints one JSON object: per n, the median seconds of the real form (a, b > 0) in float32 and,
# where this torch has complex logcumsumexp, of the general form in complex64.
import json
import statistics
import sys
import time

import torch


def real_form(log_a, log_b):
    # log x_t = a*_t + logcumsumexp(log b - a*)_t, a* = [0, cumsum(log a)]
    a_star = torch.nn.functional.pad(torch.cumsum(log_a, dim=-1), (1, 0))
    return torch.exp(a_star + torch.logcumsumexp(log_b - a_star, dim=-1))


def general_form(a, b):
    log_a = torch.log(a.to(torch.complex64))
    log_b = torch.log(b.to(torch.complex64))
    a_star = torch.nn.functional.pad(torch.cumsum(log_a, dim=-1), (1, 0))
    return torch.exp(a_star + torch.logcumsumexp(log_b - a_star, dim=-1)).real


def median_seconds(fn, runs):
    fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main():
    sizes = [int(float(s)) for s in sys.argv[1:]]
    torch.manual_seed(0)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "sizes": {}}
    for n in sizes:
        runs = 7 if n <= 10**6 else 3
        a = torch.rand(n) + 1e-3
        b = 3 * torch.rand(n + 1)
        log_a, log_b = torch.log(a), torch.log(b)
        entry = {"real": median_seconds(lambda: real_form(log_a, log_b), runs)}
        try:
            an = torch.randn(n)
            bn = torch.randn(n + 1)
            entry["complex"] = median_seconds(lambda: general_form(an, bn), runs)
        except RuntimeError as e:  # no complex logcumsumexp in this torch
            entry["complexError"] = str(e).splitlines()[0]
        out["sizes"][str(n)] = entry
    print(json.dumps(out))


if __name__ == "__main__":
    main()
