#!/usr/bin/env python3
# Writes the result files and windows of this directory (run it here): see README.md.
import json, random, datetime, os
random.seed(4)
t0 = datetime.datetime(2026, 1, 5, 0, 0)
files = {"alpha/one.csv": (900, [(300, 360), (700, 740)]),
         "alpha/two.csv": (1200, [(500, 580)]),
         "beta/three.csv": (600, []),
         "beta/four.csv": (1500, [(400, 430), (900, 1000), (1300, 1350)])}
windows = {}
for name, (n, wins) in files.items():
    os.makedirs(os.path.dirname(name), exist_ok=True)
    times = [t0 + datetime.timedelta(minutes=5 * i) for i in range(n)]
    scores = [round(random.random() * 0.6, 6) for _ in range(n)]
    for a, b in wins:
        hit = a + random.randrange(0, b - a)
        if random.random() < 0.7:
            scores[hit] = round(0.5 + random.random() * 0.5, 6)
    for _ in range(12):
        scores[random.randrange(n)] = round(0.55 + random.random() * 0.45, 6)
    with open(name, "w") as f:
        f.write("timestamp,value,anomaly_score\n")
        for i in range(n):
            f.write("%s,%d,%s\n" % (times[i].strftime("%Y-%m-%d %H:%M:%S"), i % 7, scores[i]))
    windows[name] = [[times[a].strftime("%Y-%m-%d %H:%M:%S.000000"), times[b].strftime("%Y-%m-%d %H:%M:%S.000000")]
                     for a, b in wins]
with open("windows.json", "w") as f:
    json.dump(windows, f, indent=2, sort_keys=True)
