"""Email fan-out benchmark: one release to N journalists, personalised, against smtp-source's raw
limit on the same sink.

    .venv/bin/python bench/fanout_email.py [--recipients N] [--connections C] [--runs R]

Starts Postfix's `smtp-sink` on a free loopback port (as `nobody` when run as root), then, in
the same run:

1. `smtp-source -d -s C -m N -l SIZE` sends N messages of the same mean size as ours over C
   reused connections: the raw limit of this machine and sink;
2. `EmailChannel` (uvloop, C pooled pipelined connections) sends the release to N recipients:
   English, German and Japanese editions (one template each), each message with its own
   greeting, To, Message-ID, unsubscribe link and VERP return path. A warm-up batch of C
   messages opens the connections first (a running worker keeps them open). Repeated R
   times; the median is reported;
3. the same once more with DKIM signing (RSA-2048): rate_dkim.

Nothing is lost when every receipt says delivered and smtp-sink counted every message. The
sink is stopped at the end.

Needs `smtp-sink` and `smtp-source` on PATH (Debian: apt-get install postfix). Progress goes to
stderr; the last line of stdout is one JSON object: messages, seconds, rate, raw_rate, ratio,
lost, rate_dkim.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import uvloop
from benchkit import free_port
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from newswire.channels.base import OutboundMessage, Outcome
from newswire.channels.dkim import DkimSigner
from newswire.channels.email import EmailChannel
from newswire.channels.email_render import EmailEdition, EmailPayload, EmailRenderer, EmailSettings
from newswire.channels.smtp import SmtpSettings

BODIES = {
    "en": (
        "Acme switches on the North Sea's largest offshore wind farm",
        "HAMBURG, 3 March 2026 — Acme Energy today switched on Nordlicht, the largest offshore "
        "wind farm in the North Sea, after 26 months of construction and an investment of 2.1 "
        "billion euros. The site employs 340 people and will supply about 1.2 million "
        "households.\n\n“This is a milestone for our customers and for the region,” said Maria "
        "Jensen, chief executive of Acme Energy. “We delivered on time and on budget.”\n\n"
        "About Acme Energy: Acme builds and runs renewable power plants in nine countries.",
    ),
    "de": (
        "Acme nimmt den größten Offshore-Windpark der Nordsee in Betrieb",
        "HAMBURG, 3. März 2026 — Acme Energy hat heute Nordlicht in Betrieb genommen, den "
        "größten Offshore-Windpark der Nordsee, nach 26 Monaten Bauzeit und einer Investition "
        "von 2,1 Milliarden Euro. Der Park beschäftigt 340 Menschen und versorgt rund 1,2 "
        "Millionen Haushalte.\n\n„Das ist ein Meilenstein für unsere Kunden und die Region“, "
        "sagte Maria Jensen, Vorstandschefin von Acme Energy.\n\nÜber Acme Energy: Acme baut "
        "und betreibt Anlagen für erneuerbare Energie in neun Ländern.",
    ),
    "ja": (
        "アクメ、北海最大の洋上風力発電所の運転を開始",
        "ハンブルク、2026年3月3日 — アクメ・エナジーは本日、"
        "北海最大の洋上風力発電所「ノルトリヒト」の運転を開始しました。建設期間は26か月、投資額は21億ユーロです。発電所では340人が働き、"
        "約120万世帯に電力を供給します。\n\n「お客様と地域にとっての節目です」と、アクメ・エナジーの"
        "最高経営責任者マリア・イェンセンは述べました。",
    ),
}
NAMES = {
    "en": ["Jane Doe", "Seán O'Brien", "Priya Raman", "Tom Becker", "Ana Lima"],
    "de": ["Jürgen Müller", "Anna Schäfer", "Lukas Weiß", "Eva Brandt", "Max Groß"],
    "ja": ["山田 太郎", "佐藤 花子", "鈴木 一郎", "高橋 美咲", "田中 健"],
}
SIGNING_KEY = b"bench unsubscribe key"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def editions() -> dict[str, EmailEdition]:
    result = {}
    for lang, (subject, text) in BODIES.items():
        paragraphs = "".join(f"<p>{p}</p>\n" for p in text.split("\n\n"))
        result[lang] = EmailEdition(
            key=f"release-8f3c2a-v1:{lang}",
            language=lang,
            subject=subject,
            text_body=text,
            html_body=paragraphs,
            from_address="releases@wire.example.com",
            from_name="Newswire",
            list_id="Newswire releases <releases.wire.example.com>",
        )
    return result


def recipients(count: int, tag: str) -> list[OutboundMessage[EmailPayload]]:
    by_lang = editions()
    langs = list(by_lang)
    messages = []
    for i in range(count):
        lang = langs[i % len(langs)]
        token = hmac.new(SIGNING_KEY, f"unsubscribe:{i}".encode(), hashlib.sha256).hexdigest()[:24]
        url = f"https://wire.example.com/unsubscribe/{i}.{token}"
        name = NAMES[lang][i % len(NAMES[lang])]
        messages.append(
            OutboundMessage(
                f"{tag}-{i}",
                f"journalist{i}@outlet{i % 97}.example",
                EmailPayload(by_lang[lang], url, name),
            )
        )
    return messages


def sink_count(output: Path) -> int:
    counts = re.findall(rb"mesg=(\d+)", output.read_bytes())
    return int(counts[-1]) if counts else 0


async def send_all(
    port: int, count: int, connections: int, runs: int, dkim: DkimSigner | None
) -> list[tuple[float, int]]:
    channel = EmailChannel(
        SmtpSettings(host="127.0.0.1", port=port, start_tls=False, connections=connections),
        EmailSettings(return_path_domain="bounces.wire.example.com"),
        dkim,
    )
    results = []
    for run in range(runs):
        await channel.send_batch(recipients(connections, f"warm{run}"))
        messages = recipients(count, f"dlv{run}")
        started = time.perf_counter()
        receipts = await channel.send_batch(messages)
        seconds = time.perf_counter() - started
        undelivered = [r for r in receipts if r.outcome is not Outcome.DELIVERED]
        for receipt in undelivered[:5]:
            log(f"  not delivered: {receipt}")
        label = "dkim" if dkim else f"run {run}"
        log(f"{label}: {count} messages in {seconds:.3f} s = {count / seconds:,.0f}/s")
        results.append((seconds, len(undelivered)))
    await channel.aclose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for tool in ("smtp-sink", "smtp-source"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed (Debian: apt-get install postfix)")

    sample = EmailRenderer(EmailSettings(return_path_domain="bounces.wire.example.com"))
    sizes = [len(sample.render(m).data) for m in recipients(300, "size")]
    size = int(statistics.mean(sizes))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signer = DkimSigner("wire.example.com", "bench", pem)

    tmp = Path(tempfile.mkdtemp(prefix="nw-fanout-email-"))
    port = free_port()
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    output = tmp / "sink.out"
    with open(output, "wb") as out:
        sink = subprocess.Popen(
            ["smtp-sink", "-c", *user, f"127.0.0.1:{port}", "1000"], stdout=out, stderr=out
        )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        log(f"smtp-sink on 127.0.0.1:{port}; mean message {size} bytes")

        started = time.perf_counter()
        source = ["smtp-source", "-d", "-s", str(args.connections), "-m", str(args.recipients)]
        envelope = ["-f", "bounces@wire.example.com", "-t", "j@outlet.example"]
        subprocess.run([*source, "-l", str(size), *envelope, f"127.0.0.1:{port}"], check=True)
        raw_rate = args.recipients / (time.perf_counter() - started)
        log(f"smtp-source -d -s {args.connections}: {raw_rate:,.0f} messages/s")

        plain = uvloop.run(send_all(port, args.recipients, args.connections, args.runs, None))
        signed = uvloop.run(send_all(port, args.recipients, args.connections, 1, signer))
        time.sleep(0.5)
    finally:
        sink.terminate()
        sink.wait(timeout=10)
    expected = args.recipients * (1 + args.runs + 1) + args.connections * (args.runs + 1)
    counted = sink_count(output)
    shutil.rmtree(tmp, ignore_errors=True)

    undelivered = sum(u for _, u in plain + signed)
    lost = max(undelivered, expected - counted)
    if lost:
        log(f"lost: {undelivered} receipts not delivered; sink counted {counted} of {expected}")
    seconds = statistics.median(s for s, _ in plain)
    rate = args.recipients / seconds
    print(
        json.dumps(
            {
                "messages": args.recipients,
                "seconds": round(seconds, 3),
                "rate": round(rate, 1),
                "raw_rate": round(raw_rate, 1),
                "ratio": round(rate / raw_rate, 3),
                "lost": lost,
                "rate_dkim": round(args.recipients / signed[0][0], 1),
                "connections": args.connections,
                "message_bytes": size,
                "runs": [round(args.recipients / s, 1) for s, _ in plain],
            }
        )
    )


if __name__ == "__main__":
    main()
