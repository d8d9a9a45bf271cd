#!/usr/bin/env python3
"""Turn `rasa train`'s output into one line per stage with the elapsed time.

    rasa train ... 2>&1 | python3 scripts/rasa_progress.py --log bot/models/train.log

Rasa (log level INFO) logs "Starting to train component 'X'." / "Finished training component
'X'." / "Restored component 'X' from cache." for every graph node and draws a tqdm bar
("Epochs: 40%|...| 48/120 [...]") for DIET and TED. Each stage becomes a line, and the epoch
bars a line every --epoch-step percent, so a slow machine never looks like a hang. Everything
read goes verbatim to --log (for the tail on failure). Standard library only.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from typing import BinaryIO, TextIO

STARTED = re.compile(r"Starting to train component '([^']+)'")
FINISHED = re.compile(r"Finished training component '([^']+)'")
RESTORED = re.compile(r"Restored component '([^']+)' from cache")
EPOCHS = re.compile(r"Epochs:\s*\d+%\|[^|]*\|\s*(\d+)/(\d+)")
TRAINED = re.compile(r"Your Rasa model is trained and saved at")
ERROR = re.compile(r"\b(ERROR|CRITICAL)\b|^Traceback|Error:")


def clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


class Progress:
    def __init__(self, out: TextIO, epoch_step: int, now=time.monotonic) -> None:
        self.out = out
        self.epoch_step = epoch_step
        self.now = now
        self.start = now()
        self.component_start: dict[str, float] = {}
        self.current: str | None = None
        self.last_percent = 0
        self.restored = 0

    def say(self, text: str) -> None:
        print(f"bot: [{clock(self.now() - self.start)}] {text}", file=self.out, flush=True)

    def feed(self, line: str) -> None:
        if match := STARTED.search(line):
            name = match.group(1)
            self.current, self.last_percent = name, 0
            self.component_start[name] = self.now()
            self.say(f"training {name} …")
        elif match := FINISHED.search(line):
            name = match.group(1)
            took = self.now() - self.component_start.get(name, self.now())
            self.say(f"{name} done ({clock(took)})")
        elif RESTORED.search(line):
            self.restored += 1
        elif match := EPOCHS.search(line):
            done, total = int(match.group(1)), int(match.group(2))
            percent = done * 100 // total
            if percent >= self.last_percent + self.epoch_step or (
                done == total and percent != self.last_percent
            ):
                self.last_percent = percent
                self.say(f"{self.current or 'model'}: epoch {done}/{total}")
        elif TRAINED.search(line):
            if self.restored:
                self.say(f"{self.restored} components restored from Rasa's cache")
            self.say("model saved")
        elif ERROR.search(line):
            self.say(line.strip())


def run(stream: BinaryIO, out: TextIO, log: BinaryIO | None, epoch_step: int) -> None:
    progress = Progress(out, epoch_step)
    pending = b""
    while chunk := stream.read1(65536):
        if log is not None:
            log.write(chunk)
            log.flush()
        pending += chunk
        *lines, pending = re.split(rb"[\r\n]", pending)  # tqdm redraws its bar with \r
        for line in lines:
            if line.strip():
                progress.feed(line.decode("utf-8", "replace"))
    if pending.strip():
        progress.feed(pending.decode("utf-8", "replace"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--log", help="write everything read to this file")
    parser.add_argument("--epoch-step", type=int, default=20, help="percent between epoch lines")
    args = parser.parse_args(argv)
    if args.log:
        with open(args.log, "wb") as log:
            run(sys.stdin.buffer, sys.stdout, log, args.epoch_step)
    else:
        run(sys.stdin.buffer, sys.stdout, None, args.epoch_step)
    return 0


if __name__ == "__main__":
    sys.exit(main())
