"""The fake of ``uow.attachments`` (``bot.attachments.AttachmentRepository``): rows in the fake state."""

from __future__ import annotations

from collections.abc import Sequence

from bot.attachments import Attachment
from tests.fakes.repositories import _Repos


class FakeAttachments(_Repos):
    async def add(self, attachment: Attachment) -> None:
        self.st.attachments[attachment.id] = attachment

    async def get(self, attachment_id: str) -> Attachment | None:
        found = self.st.attachments.get(attachment_id)
        return found if isinstance(found, Attachment) else None

    async def of_messages(self, message_ids: Sequence[str]) -> dict[str, list[Attachment]]:
        wanted = set(message_ids)
        found: dict[str, list[Attachment]] = {}
        for attachment in self.st.attachments.values():
            if attachment.message_id in wanted:
                found.setdefault(attachment.message_id, []).append(attachment)
        return found
