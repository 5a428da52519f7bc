"""Common random numbers: every draw fixed by (run, decision, who, week), not by draw order.

A run's random numbers come from a counter-based hash instead of sequential streams. The number
for one decision about one individual in one week is a pure function of

* the run's **key** (64 bits, from the run's seed),
* the **decision** (a :class:`Decision` code: which mechanism, which question),
* the individual's **identity** (a migrant's ``person_id``, a trafficker's ``uid``, an officer's
  index: never a population slot, which is reused),
* the **week**, and
* a small **draw** counter (a second number for the same decision, a session, a retry).

So two runs that share a seed give the same individual the same dice whatever else happened:
adding, removing or moving one migrant changes no one else's numbers, and a policy that treats
a migrant differently changes only that migrant's later path (Klein, Abeysuriya, Stuart & Kerr
2024, "Noise-free comparison of stochastic agent-based simulations using common random
numbers", arXiv 2409.02086; Starsim's per-decision streams indexed by agent). Costs stay those of
the individuals drawn for: hashing is vectorised over the identities given, and mechanisms draw
only for the individuals they touch (``model.sampling`` selects them).

The hash is SplitMix64 (Steele, Lea & Flood 2014): its finaliser mixes the key, decision, week
and draw into a base (Python integers, once per call), and each identity is one step of a
SplitMix64 sequence from that base (a few vectorised operations per identity). Uniforms take the
top 53 bits. Other distributions are built from uniforms by inversion (exponential, geometric,
integers, Poisson; gamma and beta from tabulated quantiles) or Box-Muller (normal): one uniform
per number (two for a normal), so that each individual's number depends on nothing but its key
and moves little when a parameter moves a little.

Usage::

    dice = Dice.from_seed(np.random.SeedSequence(7))
    u = dice.uniforms(Decision.TIER1, person_ids, week)           # float64 in [0, 1)
    yes = dice.bernoulli(Decision.DISCLOSURE, person_ids, p, week, draw=session)
"""

from __future__ import annotations

from enum import IntEnum
from functools import lru_cache
from math import lgamma

import numpy as np

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_C1 = 0xBF58476D1CE4E5B9
_C2 = 0x94D049BB133111EB
_U_GOLDEN = np.uint64(_GOLDEN)
_U_C1 = np.uint64(_C1)
_U_C2 = np.uint64(_C2)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 2.0**-53
#: Spawn key appended to a run's seed to derive the dice's key (apart from any stream).
DICE_SPAWN_KEY = 2**31 - 7
#: Hashed bases remembered before the memory is cleared (a few weeks' worth).
_BASES_KEPT = 4096


class Decision(IntEnum):
    """Every kind of random decision in the model (one code each; append, never renumber).

    A new mechanism adds its own codes at the end, so that existing decisions keep their
    numbers and results.
    """

    # arrivals and set-up: traits of a migrant (keyed by person_id, week 0)
    INDEBTED = 1
    DEBT = 2
    FIRST_CONTRACT = 3
    YOUNG = 4
    DOCUMENTS = 5
    TRUST = 6
    STAY = 7
    PTSD = 8
    ARRIVED_BEFORE = 9
    # trafficking
    TARGETED = 20
    FORCED_LABOUR = 21
    KIND = 22
    EXPLOITATION = 23
    AWARE_AT_START = 24
    THREATENED = 25
    FEAR = 26
    VICTIM_PTSD = 27
    INITIAL_OWNER = 28
    VICTIM_SINCE = 29
    TRAFFICKER_PLACE = 30
    VICTIM_PRIORITY = 31
    TRAFFICKER_CAPACITY = 32
    TRAFFICKER_THREAT = 33
    ESCALATION = 34
    AWARENESS = 35
    ESCAPE = 36
    OVERSTAYING = 37
    # encounters
    RAID = 50
    OVERSTAY_CHECK = 51
    ARREST = 52
    COMPLAINT = 53
    SELF_REFERRAL = 54
    CLAIM = 55
    VISA = 56
    NGO_CONTACT = 57
    NGO_DISCLOSURE = 58
    NGO_CONSENT = 59
    INVESTIGATIONS_DUE = 60
    INVESTIGATION_TARGET = 61
    EVIDENCE = 62
    RAID_LEAD = 63
    # screening, custody
    SCREENING_PRIORITY = 80
    OFFICER_PLACE = 81
    TIER1 = 82
    DISCLOSURE = 83
    FALSE_POSITIVE = 84
    SUPPORT_PRIORITY = 85
    DETAINEE_SCREENING = 86
    REMOVAL_DAYS = 87
    STAYS_AFTER_SUPPORT = 88
    OFFICER_TRAINED = 89
    # justice
    COOPERATION = 100
    PROSECUTION = 101
    CONVICTION = 102
    REPLACEMENT = 103
    # outbound
    RETURNEES = 120
    RETURNEE_IDENTIFIED = 121
    # candidate clocks of weekly events (model.hazards): the gap, the event of a candidate week
    CANDIDATE = 140
    # life after removal (model.after_removal)
    COMES_BACK = 200
    TIME_AWAY = 201
    DEBT_ON_RETURN = 202
    DOCUMENTS_ON_RETURN = 203
    STAY_ON_RETURN = 204
    # community ties (model.ties)
    NATIONALITY = 220
    CIRCLE = 221
    ISOLATED = 222
    TIE = 223
    # traffickers adapt to screening (model.adaptation)
    TRAFFICKER_NOTICES = 240
    TRAFFICKER_MOVES = 241


def _mix_int(x: int) -> int:
    """SplitMix64's finaliser on a Python integer (64 bits)."""
    x &= _MASK
    x = ((x ^ (x >> 30)) * _C1) & _MASK
    x = ((x ^ (x >> 27)) * _C2) & _MASK
    return x ^ (x >> 31)


def _to_unit(bits: np.ndarray) -> np.ndarray:
    """Uniforms in [0, 1) from the top 53 of 64 random bits (``bits`` is overwritten)."""
    bits >>= _S11
    unit = bits.astype(np.float64)
    unit *= _TO_UNIT
    return unit


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser on a uint64 array, in place (wrapping multiplication)."""
    x ^= x >> _S30
    x *= _U_C1
    x ^= x >> _S27
    x *= _U_C2
    x ^= x >> _S31
    return x


class Dice:
    """The random numbers of one run, keyed by decision, identity, week and draw.

    Args:
        key: The run's 64-bit key (use :meth:`from_seed` for a run's seed).
    """

    def __init__(self, key: int) -> None:
        self.key = int(key) & _MASK
        self._bases: dict[tuple[int, int, int], np.uint64] = {}

    @classmethod
    def from_seed(cls, seeds: np.random.SeedSequence) -> Dice:
        """The dice of the run seeded by ``seeds`` (a child of it, apart from any stream)."""
        child = np.random.SeedSequence(seeds.entropy, spawn_key=(*seeds.spawn_key, DICE_SPAWN_KEY))
        low, high = (int(v) for v in child.generate_state(2, dtype=np.uint32))
        return cls(low | (high << 32))

    # ------------------------------------------------------------------ core
    def _base(self, decision: int, week: int, draw: int) -> int:
        inner = _mix_int(int(draw) * _GOLDEN + 0x632BE59BD9B4E019)
        inner = _mix_int(inner ^ (int(week) & _MASK))
        inner = _mix_int(inner ^ (int(decision) * 0xD1B54A32D192ED03))
        return _mix_int(inner ^ self.key)

    def _base_u64(self, decision: int, week: int, draw: int) -> np.uint64:
        """:meth:`_base` as a numpy scalar, remembered (a run asks for each a few times)."""
        key = (int(decision), int(week), int(draw))
        base = self._bases.get(key)
        if base is None:
            if len(self._bases) > _BASES_KEPT:
                self._bases.clear()
            base = self._bases[key] = np.uint64(self._base(*key))
        return base

    def bits(self, decision: int, ids: np.ndarray, week: int = 0, draw: int = 0) -> np.ndarray:
        """64 random bits per identity (uint64), a pure function of the arguments and key.

        SplitMix64 (one finaliser of ``id * golden + base``): for a fixed decision, week and
        draw the identities index one SplitMix64 sequence started at a hashed base.
        """
        x = np.ascontiguousarray(ids, dtype=np.int64).view(np.uint64) * _U_GOLDEN
        if len(x) == 0:
            return x
        x += self._base_u64(decision, week, draw)
        return _mix(x)

    def uniforms(self, decision: int, ids: np.ndarray, week: int = 0, draw: int = 0) -> np.ndarray:
        """One uniform in [0, 1) per identity (float64, 53 random bits)."""
        return _to_unit(self.bits(decision, ids, week, draw))

    def uniform_rows(
        self,
        decisions: tuple[int, ...],
        ids: np.ndarray,
        week: int = 0,
        draw: int | tuple[int, ...] = 0,
    ) -> np.ndarray:
        """Uniforms of several decisions (or draws) at once, one row each.

        Row ``k`` is ``uniforms(decisions[k], ids, week, draws[k])``: the same numbers as one
        call each, hashed in one pass (for the many traits a migrant is given at once, or the
        rounds of a rejection method). ``draw`` is one counter for every row or one per row.
        """
        x = np.ascontiguousarray(ids, dtype=np.int64).view(np.uint64) * _U_GOLDEN
        draws = (draw,) * len(decisions) if isinstance(draw, int) else draw
        bases = np.array(
            [self._base_u64(d, week, k) for d, k in zip(decisions, draws, strict=True)],
            dtype=np.uint64,
        )
        x = x[np.newaxis, :] + bases[:, np.newaxis]
        return _to_unit(_mix(x))

    def uniform(self, decision: int, index: int = 0, week: int = 0, draw: int = 0) -> float:
        """One uniform in [0, 1) for a decision not about an individual (e.g. a week's count)."""
        return float(self.uniforms(decision, np.array([index]), week, draw)[0])

    # ------------------------------------------------------------------ distributions
    def bernoulli(
        self,
        decision: int,
        ids: np.ndarray,
        probability: np.ndarray | float,
        week: int = 0,
        draw: int = 0,
    ) -> np.ndarray:
        """Whether each identity's event happens, with the given probability (each or all)."""
        return self.uniforms(decision, ids, week, draw) < probability

    def exponentials(
        self, decision: int, ids: np.ndarray, scale: float, week: int = 0, draw: int = 0
    ) -> np.ndarray:
        """Exponential numbers with mean ``scale`` (by inversion)."""
        return -np.log1p(-self.uniforms(decision, ids, week, draw)) * scale

    def geometric(
        self, decision: int, ids: np.ndarray, p: np.ndarray | float, week: int = 0, draw: int = 0
    ) -> np.ndarray:
        """Trials up to and including the first success (1, 2, ...), success probability ``p``.

        By inversion; ``p`` is clipped to (0, 1]. Returned as int64 (huge waits are capped at
        2**40 for a vanishing ``p``).
        """
        p = np.clip(p, 1e-300, 1.0)
        u = self.uniforms(decision, ids, week, draw)
        with np.errstate(divide="ignore"):
            trials = np.floor(np.log1p(-u) / np.log1p(-p)) + 1.0
        trials = np.where(p >= 1.0, 1.0, trials)
        return np.minimum(trials, 2.0**40).astype(np.int64)

    def integers(
        self, decision: int, ids: np.ndarray, low: int, high: int, week: int = 0, draw: int = 0
    ) -> np.ndarray:
        """Integers uniform in ``[low, high)``."""
        u = self.uniforms(decision, ids, week, draw)
        return np.minimum(low + np.floor(u * (high - low)), high - 1).astype(np.int64)

    def normals(self, decision: int, ids: np.ndarray, week: int = 0, draw: int = 0) -> np.ndarray:
        """Standard normal numbers (Box-Muller on draws ``2 draw`` and ``2 draw + 1``)."""
        u1 = self.uniforms(decision, ids, week, 2 * draw)
        u2 = self.uniforms(decision, ids, week, 2 * draw + 1)
        return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)

    def gammas(
        self,
        decision: int,
        ids: np.ndarray,
        shape: float,
        scale: float = 1.0,
        week: int = 0,
        draw: int = 0,
    ) -> np.ndarray:
        """Gamma numbers by inversion of the tabulated distribution function.

        One uniform each, read off :func:`gamma_quantile_table`: a small change of ``shape``
        or ``scale`` moves each number a little instead of redrawing it, and one hash pass
        serves every identity (a rejection method would need rounds of draws).
        """
        return quantiles_from_uniforms(
            self.uniforms(decision, ids, week, draw), gamma_quantile_table(float(shape))
        ) * scale

    def betas(
        self, decision: int, ids: np.ndarray, a: float, b: float, week: int = 0, draw: int = 0
    ) -> np.ndarray:
        """Beta(a, b) numbers by inversion of the distribution function.

        The quantile is read off :func:`beta_quantile_table`, so that a small change of ``a``
        or ``b`` moves each number a little instead of redrawing it.
        """
        return beta_from_uniforms(self.uniforms(decision, ids, week, draw), a, b)

    def poisson(self, decision: int, mean: float, index: int = 0, week: int = 0) -> int:
        """A Poisson count with ``mean`` for a decision not about an individual (inversion)."""
        if mean <= 0.0:
            return 0
        u = self.uniform(decision, index, week)
        if mean > 500.0:  # normal approximation far in the tail of what the model uses
            z = float(self.normals(decision, np.array([index]), week, 1)[0])
            return max(0, round(mean + np.sqrt(mean) * z))
        k, term = 0, np.exp(-mean)
        total = term
        while u >= total and term > 0.0:
            k += 1
            term *= mean / k
            total += term
        return k

    def priority(self, decision: int, ids: np.ndarray, week: int = 0) -> np.ndarray:
        """Order of identities for a limited resource: a ranking by their uniforms (argsort).

        The first ``k`` of the returned positions are a uniformly random set of ``k`` of the
        identities. Each individual's rank key is its own number, so a competitor added or
        removed displaces only those ranked after it.
        """
        return np.argsort(self.uniforms(decision, ids, week), kind="stable")


#: Points of the tabulated beta distribution function (cosine-spaced, dense at 0 and 1).
BETA_TABLE_POINTS = 4097
#: Intervals of the quantile table on a uniform grid of probabilities (a lookup, no search).
QUANTILE_TABLE_INTERVALS = 1 << 16


def beta_from_uniforms(u: np.ndarray, a: float, b: float) -> np.ndarray:
    """Beta(a, b) numbers from uniforms ``u`` by the tabulated quantile (see ``Dice.betas``)."""
    return quantiles_from_uniforms(u, beta_quantile_table(float(a), float(b)))


def quantiles_from_uniforms(u: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Read quantiles off a table at probabilities ``k / n`` (linear interpolation)."""
    scaled = u * (len(table) - 2)
    low = scaled.astype(np.int64)
    return table[low] + (scaled - low) * (table[low + 1] - table[low])


@lru_cache(maxsize=64)
def gamma_quantile_table(shape: float) -> np.ndarray:
    """Gamma(shape, 1) quantiles at probabilities ``k / QUANTILE_TABLE_INTERVALS``.

    From SciPy's inverse of the regularised incomplete gamma function. The last point is the
    quantile at ``1 - 1 / (4 n)`` (the distribution is unbounded): numbers in the top
    interval (probability ``1 / n``) are spread below it, which shortens the mean by less than
    1e-4 of itself for shapes 0.1-100 (3e-5 at 0.1, 2e-6 at 2).
    """
    from scipy.special import gammaincinv

    n = QUANTILE_TABLE_INTERVALS
    grid = np.linspace(0.0, 1.0, n + 1)
    grid[-1] = 1.0 - 0.25 / n
    table = gammaincinv(shape, grid)
    return np.concatenate((table, table[-1:]))  # one extra point: u * n never indexes past it


@lru_cache(maxsize=64)
def beta_quantile_table(a: float, b: float) -> np.ndarray:
    """Beta(a, b) quantiles at probabilities ``k / QUANTILE_TABLE_INTERVALS`` (k = 0 .. n).

    Interpolated from :func:`beta_distribution`; a quantile read off it by linear
    interpolation errs by less than 1e-4 for probabilities in [1e-4, 1 - 1e-4] (more in the
    extreme tails of a shape below 1, where the quantile is steepest).
    """
    x, cdf = beta_distribution(a, b)
    grid = np.linspace(0.0, 1.0, QUANTILE_TABLE_INTERVALS + 1)
    table = np.interp(grid, cdf, x)
    return np.concatenate((table, table[-1:]))  # one extra point: u * n never indexes past it


@lru_cache(maxsize=64)
def beta_distribution(a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """The Beta(a, b) distribution function tabulated: ``(x, F(x))``.

    ``F`` is the regularised incomplete beta function by its continued fraction (Lentz's
    method, as in Press et al., Numerical Recipes, 6.4), at :data:`BETA_TABLE_POINTS` points
    spaced as ``(1 - cos(pi t)) / 2`` so that the tails, where the quantile moves fastest, are
    dense.
    """
    t = np.linspace(0.0, 1.0, BETA_TABLE_POINTS)
    x = 0.5 * (1.0 - np.cos(np.pi * t))
    inner = x[1:-1]
    lower = inner < (a + 1.0) / (a + b + 2.0)
    cdf = np.empty_like(inner)
    cdf[lower] = _incomplete_beta(a, b, inner[lower])
    cdf[~lower] = 1.0 - _incomplete_beta(b, a, 1.0 - inner[~lower])
    cdf = np.maximum.accumulate(np.clip(cdf, 0.0, 1.0))
    return x, np.concatenate(([0.0], cdf, [1.0]))


def _incomplete_beta(a: float, b: float, x: np.ndarray) -> np.ndarray:
    """Regularised incomplete beta ``I_x(a, b)`` for ``x < (a + 1) / (a + b + 2)``."""
    log_front = lgamma(a + b) - lgamma(a) - lgamma(b) + a * np.log(x) + b * np.log1p(-x)
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones_like(x)
    d = 1.0 - qab * x / qap
    d = np.where(np.abs(d) < tiny, tiny, d)
    d = 1.0 / d
    h = d.copy()
    for m in range(1, 301):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = np.where(np.abs(d) < tiny, tiny, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = np.where(np.abs(d) < tiny, tiny, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        d = 1.0 / d
        delta = d * c
        h *= delta
        if np.all(np.abs(delta - 1.0) < 3e-16):
            break
    return np.exp(log_front) * h / a
