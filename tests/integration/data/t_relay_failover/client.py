#!/usr/bin/env python3
"""client.py PORT PHASE N - N SMTP sessions through the relay on
127.0.0.1:PORT, one after another, each sending one message with the
subject "failover PHASE k". Prints "k HOST" per session (HOST from the
greeting "220 HOST ESMTP") or "k FAIL reason"; exit 1 if any failed."""
import smtplib
import sys

port, phase, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
bad = 0
for k in range(n):
    try:
        s = smtplib.SMTP(timeout=10)
        code, msg = s.connect("127.0.0.1", port)
        if code != 220:
            raise smtplib.SMTPException("greeting %d %r" % (code, msg))
        host = msg.split()[0].decode()
        s.ehlo("client.test")
        s.sendmail("s@sender.test", ["u@example.test"],
                   ("From: s@sender.test\r\nTo: u@example.test\r\n"
                    "Subject: failover %s %d\r\n\r\nbody\r\n" % (phase, k)).encode())
        s.quit()
        print(k, host)
    except (OSError, smtplib.SMTPException) as e:
        bad += 1
        print(k, "FAIL", str(e).replace("\n", " "))
sys.exit(1 if bad else 0)
