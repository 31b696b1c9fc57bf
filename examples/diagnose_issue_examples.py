"""The same error, different context, different top cause (issue 5).

Run: python examples/diagnose_issue_examples.py
"""

from __future__ import annotations

from wmireach.diagnosis import diagnose

EXAMPLES = [
    ("0x80070005", {"account": "local-admin", "trust": "workgroup"}),
    ("0x80070005", {"account": "domain-user", "trust": "same-domain"}),
    (
        "0x80070005",
        {"client_os": "linux", "target_os": "server2019", "client_auth_level": "connect"},
    ),
    ("Source: DistributedCOM  Event ID: 10036", {}),
    ("0x80070002", {}),
]

for text, known in EXAMPLES:
    d = diagnose(text, **known)
    print(f"{text!r} {known}\n  {d.summary}")
    for cause in d.causes[:3]:
        print(f"    #{cause.rank} {cause.id} {cause.likelihood:.0%}  {cause.fix[:70]}")
