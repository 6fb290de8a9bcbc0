"""`dxp-folder`: a DXP client's folders. Each message is written as a `DxpMsg` envelope file into
the send folder (atomically: see `folders`); the client (or the mock platform) takes it from there.
Receipt files, `DxpMsg` envelopes of CEB receipt messages, are read from the receive folder and
removed; a format or signature error comes back as a CEB900 receipt naming the refused message.

Latency is until the file is taken from the send folder: the moment the platform's side has it. A
file not taken within `folders.pickup_timeout_s` is reported as not delivered (and left for the
platform: it may still take it).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import gevent
from gevent.event import Event
from locust.event import EventHook

from ceb.codec import parse_receipts
from ceb.dxp import DxpMessage, file_name, receiver_for, unwrap, wrap
from ceb.errors import CebFormatError
from ceb.types import MessageType
from locustfiles.transports.base import Delivery, FeedPage, ReceiptSeen, Rejection, RequestReporter, china_now
from locustfiles.transports.folders import Folder, LocalFolder, SftpFolder, open_sftp
from targets.profile import TargetProfile

_MAX_RECEIPT_BYTES = 4 * 1024 * 1024
_UNREADABLE = ".unreadable"  # a receipt file that could not be read is renamed aside, not lost


class DxpFolderTransport:
    """Folders on this host, or over SFTP; one watcher lists the send folder for every sender."""

    name = "dxp-folder"
    latency_meaning = "until the message's file is taken from the send folder"

    def __init__(self, profile: TargetProfile, request_event: EventHook) -> None:
        assert profile.folders is not None and profile.dxp_id is not None  # required by the profile
        self.profile = profile
        folders = profile.folders
        self._ssh, self._root = (open_sftp(folders, profile.request_timeout_s) if folders.is_sftp
                                 else (None, folders.root))
        self._opened: list[Folder] = []
        self.send = self._folder(folders.send)  # the watcher's
        self._reporter = RequestReporter(request_event, "FILE", f"{folders.root}/{folders.send}")
        self._waiting: dict[str, Event] = {}
        self._watcher = gevent.spawn(self._watch_pickups)

    def _folder(self, name: str) -> Folder:
        """A folder under the root with a session of its own: an SFTP session used by two
        greenlets at once deadlocks in paramiko, so each user of a folder opens its own."""
        if self._ssh is None:
            folder: Folder = LocalFolder(Path(self._root) / name)
        else:
            folder = SftpFolder(self._ssh.open_sftp(), f"{self._root.rstrip('/')}/{name}")
        self._opened.append(folder)
        return folder

    def sender(self) -> DxpFolderSender:
        return DxpFolderSender(self, self._folder(self.profile.folders.send))

    def receipt_feed(self, receivers: list[str], receipt_types: list[MessageType]) -> DxpFolderFeed:
        return DxpFolderFeed(self._folder(self.profile.folders.receive), self.profile.dxp_id,
                             self.profile.receipts.page_size)

    def operations_channel(self) -> None:
        """A DXP client's folders carry CEB messages only."""
        return None

    def deliver(self, outbox: Folder, message_type: MessageType, body: bytes, message_id: str) -> Delivery:
        """Write the message's file into `outbox` (the send folder, through the sender's own
        session) and wait (bounded) until it is taken."""
        envelope = DxpMessage(message_id, self.profile.dxp_id, (receiver_for(message_type),), china_now(),
                              message_type.root_tag, body)
        name = file_name(envelope)
        data = wrap(envelope)
        started_wall, started = time.time(), time.perf_counter()
        taken = self._waiting[name] = Event()
        try:
            outbox.write_atomic(name, data)
            if taken.wait(self.profile.folders.pickup_timeout_s):
                delivery = Delivery(202, None)
            else:
                delivery = Delivery(None, f"not taken from the send folder within "
                                          f"{self.profile.folders.pickup_timeout_s:.0f} s")
        except OSError as exc:
            delivery = Delivery(None, f"cannot write to the send folder: {exc}"[:200])
        finally:
            self._waiting.pop(name, None)
        self._reporter.report(message_type.value, started_wall, time.perf_counter() - started, len(data),
                              delivery)
        return delivery

    def _watch_pickups(self) -> None:
        """List the send folder every scan interval; a waited-for file no longer there was taken."""
        interval = self.profile.folders.scan_interval_s
        while True:
            gevent.sleep(interval)
            if not self._waiting:
                continue
            waited = list(self._waiting.items())  # before the listing: a file written after it is not judged
            try:
                present = set(self.send.names())
            except OSError:
                continue  # a failed listing proves nothing; the senders' own timeout bounds the wait
            for name, event in waited:
                if name not in present:
                    event.set()

    def close(self) -> None:
        self._watcher.kill(block=False)
        for folder in self._opened:
            folder.close()
        if self._ssh is not None:
            self._ssh.close()


class DxpFolderSender:
    """A sender of the folder transport (the transport does the work; senders share its watcher)."""

    def __init__(self, transport: DxpFolderTransport, outbox: Folder) -> None:
        self._transport = transport
        self._outbox = outbox

    def send(self, message_type: MessageType, body: bytes, message_id: str) -> Delivery:
        return self._transport.deliver(self._outbox, message_type, body, message_id)

    def close(self) -> None:
        """The transport closes every folder it opened."""


class DxpFolderFeed:
    """Reads and removes the receipt files in the receive folder, oldest name first, a bounded number
    per poll."""

    def __init__(self, folder: Folder, dxp_id: str, files_per_poll: int) -> None:
        self._folder = folder
        self._dxp_id = dxp_id
        self._files_per_poll = files_per_poll
        self.problems: Counter[str] = Counter()

    def poll(self) -> FeedPage:
        page = FeedPage([], [])
        try:
            names = sorted(self._folder.names())[:self._files_per_poll]
        except OSError as exc:
            self.problems[f"cannot list the receive folder: {exc}"[:200]] += 1
            return page
        for name in names:
            try:
                problem = self._read(name, page)
            except OSError as exc:
                problem = f"cannot read a receipt file: {exc}"[:200]
            try:
                if problem is None:
                    self._folder.remove(name)
                else:
                    self.problems[problem] += 1
                    self._folder.rename(name, name + _UNREADABLE)
            except OSError as exc:
                self.problems[f"cannot remove a read receipt file: {exc}"[:200]] += 1
        return page

    def _read(self, name: str, page: FeedPage) -> str | None:
        data = self._folder.read(name, _MAX_RECEIPT_BYTES)
        if len(data) > _MAX_RECEIPT_BYTES:
            return f"a receipt file larger than {_MAX_RECEIPT_BYTES} bytes"
        try:
            receipts = parse_receipts(unwrap(data).data)
        except (CebFormatError, ValueError) as exc:
            return f"a receipt file that cannot be read: {str(exc)[:120]}"
        for receipt in receipts:
            keys = dict(receipt.keys)
            if receipt.message_type is MessageType.FORMAT_ERROR_RECEIPT:
                page.rejections.append(Rejection(keys.get("oriMessageType", "?")[:20],
                                                 f"{receipt.return_status}: {receipt.return_info}"[:300]))
                continue
            page.receipts.append(ReceiptSeen(receipt.message_type.value, receipt.guid, receipt.return_status,
                                             receipt.return_time, self._dxp_id, keys, receipt.return_info[:300]))
        return None

    def close(self) -> None:
        """The transport owns the folder."""
