import os
import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from hcoc.delivery import alerts, chases, webhooks
from hcoc.delivery.worker import DeliveryWorker


class Command(BaseCommand):
    help = (
        "Live delivery: webhooks and e-mail alerts from the feed. With no option, the worker "
        "(runs until stopped; `hcoc serve` starts one). --once: one pass, then exit (cron). "
        "--digest: send the daily e-mail digests. --chase: the ICC's daily chase."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one delivery pass, then exit")
        parser.add_argument("--digest", action="store_true", help="send the daily digests")
        parser.add_argument("--chase", action="store_true", help="chase unacknowledged items")
        parser.add_argument(
            "--concurrency",
            type=int,
            default=None,
            help="deliveries in flight at once (default HCOC_DELIVERY_CONCURRENCY)",
        )
        parser.add_argument(
            "--parent", type=int, default=None, help="stop when this process (the server) is gone"
        )

    def handle(self, *args, **o):
        if o["digest"] or o["chase"] or o["once"]:
            if o["once"]:
                n = webhooks.deliver_due()
                m = alerts.alerts_send_immediate()
                self.stdout.write(f"{n} webhook delivery(ies), {m} immediate alert(s)")
            if o["digest"]:
                self.stdout.write(f"{alerts.digests_send()} digest(s) sent")
            if o["chase"]:
                chased = chases.chases_send_due()
                for state, seqs in sorted(chased.items()):
                    self.stdout.write(f"chased {state}: " + ", ".join(f"#{s}" for s in seqs))
                self.stdout.write(f"{len(chased)} state(s) chased")
            return
        if settings.DELIVERY_NICE > 0:
            # This process only: the server's requests come first when the CPU is short.
            os.nice(settings.DELIVERY_NICE)
        worker = DeliveryWorker(concurrency=o["concurrency"], parent=o["parent"])

        def stop(signum, frame):
            worker.stop.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("hcoc deliver: delivering webhooks and e-mail alerts (Ctrl-C to stop)")
        self.stdout.flush()
        worker.run()
