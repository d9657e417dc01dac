"""The SOS Amitié 2016 year written with SimPy: the same model as ecoute-capacity's
simulator, read from the same scenario file, for the speed comparison in run.sh.

People arrive as a Poisson process whose rate is constant within each hour of the week;
each attempt waits for a listener (a PriorityResource) with an exponential patience,
talks for a lognormal time plus a wrap-up, or hangs up and may dial again after a delay.
Listeners come and go with the half-hour roster: the usual SimPy idiom of "blocker"
requests at a higher priority that hold the places of listeners off duty (a listener in a
conversation finishes it before going off duty, as in the Rust model).

Usage: python simpy_2016.py SCENARIO.toml [SEED]   → prints one JSON line.
"""

import json
import math
import random
import sys
import time
import tomllib

import simpy

HOUR = 3600.0
SLOT = 1800.0


def load(path):
    with open(path, "rb") as f:
        sc = tomllib.load(f)
    d = sc["demand"]
    weights = [d["hour_of_day"][h % 24] * d["day_of_week"][h // 24] for h in range(168)]
    per_week = d["people_per_horizon"] * 7.0 / sc["horizon_days"]
    total = sum(weights)
    rates = [per_week * w / total / HOUR for w in weights]  # per second
    slots = [0] * 336
    for s in sc["shift"]:
        sh, sm = map(int, s["start"].split(":"))
        eh, em = map(int, s["end"].split(":"))
        start, end = sh * 60 + sm, (eh * 60 + em) % 1440
        minutes = end - start if end > start else end + 1440 - start
        for day, n in enumerate(s["listeners"]):
            first = day * 48 + start // 30
            for k in range(minutes // 30):
                slots[(first + k) % 336] += n
    return sc, rates, slots


def sampler(spec, rng):
    kind = spec["distribution"]
    if kind == "exponential":
        mean = spec["mean_minutes"] * 60.0
        return lambda: rng.expovariate(1.0 / mean)
    if kind == "lognormal":
        mean = spec["mean_minutes"] * 60.0
        s2 = math.log(1.0 + spec["cv"] ** 2)
        m, s = math.log(mean) - s2 / 2.0, math.sqrt(s2)
        return lambda: rng.lognormvariate(m, s)
    if kind == "fixed":
        value = spec["minutes"] * 60.0
        return lambda: value
    raise ValueError(kind)


def run(path, seed):
    sc, rates, slots = load(path)
    rng = random.Random(seed)
    handle = sampler(sc["handle"], rng)
    patience = sampler(sc["patience"], rng)
    redial_delay = sampler(sc["redial"]["delay"], rng)
    redial_p = sc["redial"]["probability"]
    max_attempts = sc["redial"]["max_attempts"]
    wrap = sc.get("line", {}).get("wrap_up_minutes", 0.0) * 60.0
    horizon = sc["horizon_days"] * 86400.0
    night = set(sc["published"]["night_hours"])

    env = simpy.Environment()
    top = max(slots)
    listeners = simpy.PriorityResource(env, capacity=top)
    stats = dict(attempts=0, people=0, answered=0, abandoned=0, wait=0.0,
                 night_attempts=0, night_answered=0, on_duty=0.0)

    def hour_of(t):
        return int(t // HOUR) % 168

    def caller(attempt):
        arrival = env.now
        is_night = hour_of(arrival) % 24 in night
        stats["attempts"] += 1
        stats["night_attempts"] += is_night
        req = listeners.request(priority=1)
        got = yield req | env.timeout(patience())
        if req in got:
            stats["answered"] += 1
            stats["night_answered"] += is_night
            stats["wait"] += env.now - arrival
            yield env.timeout(handle() + wrap)
            listeners.release(req)
        else:
            req.cancel()
            stats["abandoned"] += 1
            if attempt < max_attempts and rng.random() < redial_p:
                yield env.timeout(redial_delay())
                env.process(caller(attempt + 1))

    def arrivals():
        t = 0.0
        while True:
            budget = rng.expovariate(1.0)
            while True:
                h = hour_of(t)
                end = (math.floor(t / HOUR) + 1.0) * HOUR
                r = rates[h]
                if r > 0 and t + budget / r < end:
                    t += budget / r
                    break
                budget -= r * (end - t)
                t = end
            yield env.timeout(t - env.now)
            stats["people"] += 1
            env.process(caller(1))

    def blocker(release):
        # Holds the place of a listener off duty; takes the next free place before
        # any caller (priority 0 < 1), so a listener finishes a call before leaving.
        req = listeners.request(priority=0)
        yield release | req
        if req.triggered:
            yield release
            listeners.release(req)
        else:
            req.cancel()

    def roster():
        blockers = []
        i = 0
        while True:
            target_off = top - slots[i % 336]
            while len(blockers) < target_off:
                ev = env.event()
                blockers.append(ev)
                env.process(blocker(ev))
            while len(blockers) > target_off:
                blockers.pop().succeed()
            stats["on_duty"] += slots[i % 336] * SLOT / HOUR
            i += 1
            yield env.timeout(SLOT)

    env.process(roster())
    env.process(arrivals())
    env.run(until=horizon)
    return stats


def main():
    path = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 2016
    start = time.perf_counter()
    s = run(path, seed)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "seconds": round(seconds, 3),
        "attempts": s["attempts"],
        "people": s["people"],
        "answered": s["answered"],
        "abandoned": s["abandoned"],
        "answered_share": round(s["answered"] / s["attempts"], 4),
        "people_answered_share": round(s["answered"] / s["people"], 4),
        "night_answered_share": round(s["night_answered"] / max(s["night_attempts"], 1), 4),
        "mean_wait_answered_secs": round(s["wait"] / max(s["answered"], 1), 1),
        "listener_hours": round(s["on_duty"]),
    }))


if __name__ == "__main__":
    main()
