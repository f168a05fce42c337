"""``AttachFile``: a message that carries a file (rules in ``bot.attachments``).

The file is the message's: the same refusals as any message (``check_post``: a conversation the
author cannot see is unknown, a read-only one refuses, only agents write internal notes), the same
resend rule (a ``client_id`` already stored returns the first message), and the file's row is
written with the message in one unit of work, so there is never a file without its message.
"""

from __future__ import annotations

from dataclasses import replace

from bot.attachments import KINDS, MAX_BYTES, Attachment, clean_name, refuse_size, refuse_type
from bot.commands import AttachFile, PostMessage
from bot.errors import InvalidInput
from bot.handlers.conversations import Posted, _mark_own_read, _services_of
from bot.handlers.posting import PostingHooks, append_message, check_post
from bot.model import MAX_MESSAGE_LENGTH, clean_client_id, require
from bot.ports import Clock, UnitOfWork


async def attach_file(cmd: AttachFile, uow: UnitOfWork, clock: Clock, posting: PostingHooks) -> Posted:
    if cmd.content_type not in KINDS:
        raise refuse_type()
    if not 0 < cmd.size <= MAX_BYTES:
        raise refuse_size()
    text = cmd.text.strip() if isinstance(cmd.text, str) else ""
    if len(text) > MAX_MESSAGE_LENGTH:
        raise InvalidInput(
            f"The caption is longer than {MAX_MESSAGE_LENGTH:,} characters.",
            code="message_too_long",
            field="text",
        )
    client_id = clean_client_id(cmd.client_id)
    name = clean_name(cmd.name, cmd.content_type)
    async with uow:
        conversation = require(
            await uow.conversations.get(cmd.conversation_id, for_update=True), "conversation"
        )
        members = await uow.conversations.members(conversation.id)
        services = await _services_of(uow, cmd.author.kind, cmd.author.id)
        post = PostMessage(conversation.id, cmd.author, text, internal=cmd.internal)
        check_post(post, conversation, services, members)
        if client_id:
            resent = await uow.messages.by_client_id(conversation.id, cmd.author.key, client_id)
            if resent is not None:
                resent.attachments = (await uow.attachments.of_messages([resent.id])).get(resent.id, [])
                return Posted(conversation, resent, False)
        now = clock.now()
        file = Attachment(
            cmd.file_id, conversation.id, "", name, cmd.content_type, cmd.size, now, cmd.internal
        )
        message = await append_message(
            uow,
            conversation,
            cmd.author,
            text,
            now,
            client_id=client_id,
            internal=cmd.internal,
            hooks=posting,
            attachments=(file.summary(),),
        )
        file = replace(file, message_id=message.id)
        await uow.attachments.add(file)
        message.attachments = [file]
        await _mark_own_read(
            uow,
            conversation.id,
            cmd.author.kind,
            cmd.author.id,
            message.seq,
            cmd.author.name,
            members=members,
            hooks=posting,
        )
        await uow.commit()
        return Posted(conversation, message, True)
