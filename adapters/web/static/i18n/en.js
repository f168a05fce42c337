/* The English texts of what guests see; keys are grouped by surface, one section each. */
export default {
  // ---- widget ----
  "widget.title": "Chat with us",
  "widget.open": "Open chat",
  "widget.close": "Close chat",
  "widget.dialog": "Chat",
  "widget.connecting": "Connecting…",
  "widget.reconnecting": "Reconnecting…",
  "widget.connected": "Connected",
  "widget.placeholder": "Write a message…",
  "widget.messageLabel": "Your message",
  "widget.send": "Send",
  "widget.lead": "Hi! Tell us who you are and we'll get back to you right here.",
  "widget.name": "Your name",
  "widget.email": "Email (optional, for replies when you're away)",
  "widget.start": "Start chat",
  "widget.startFailed": "Could not start the chat. Please try again.",
  "widget.expired": "Your chat session has expired. Please start again.",
  "widget.continueToggle": "Continue a previous conversation",
  "widget.continueEmail": "The email you used before",
  "widget.continueSend": "Send me a link",
  "widget.continueSent": "If you wrote to us with this address, a link is on its way. It works once, for 30 minutes.",
  "widget.continueFailed": "Could not send the link. Please try again.",
  "widget.notOpenHere": "This conversation is not open in this browser. Continue it with your email address.",
  "widget.linkExpired": "This email link has expired or was used already.",
  "widget.schedule": "Schedule a meeting",
  "widget.scheduleUnavailable": "Scheduling is not available right now. Please try again.",
  "widget.sendFailed": "This message could not be sent.",
  "widget.sending": "sending…",
  "widget.notSent": "not sent",
  "widget.seen": "Seen",
  "widget.newMessage": "New message",
  "widget.titleBlink": "({count}) New message",
  "widget.previewFrom": "New message from {name}",
  "widget.previewDismiss": "Dismiss",
  "widget.announce": "{name}: {text}",
  "widget.toolbar": "Chat actions",
  // ---- end of widget ----

  // ---- booking ----
  // ---- end of booking ----

  // ---- confirmation ----
  // ---- end of confirmation ----

  // ---- manage ----
  // ---- end of manage ----

  // ---- attachments ----
  "attachments.attach": "Attach a picture or PDF",
  "attachments.emoji": "Insert an emoji",
  "attachments.emoji_grid": "Emoji",
  "attachments.open": "Open picture {name}",
  "attachments.download": "Download {name} ({size})",
  "attachments.uploading": "Sending {name}…",
  "attachments.too_large": "This file is larger than 10 MB. Please send a smaller one.",
  "attachments.wrong_type": "Only pictures (PNG, JPEG, GIF, WebP) and PDF files can be sent.",
  "attachments.too_many": "You have sent many files. Please wait a little before sending more.",
  "attachments.offline": "You are offline. Please try again when the connection is back.",
  "attachments.failed": "The file could not be sent. Please try again.",
  "attachments.write_first": "Write a message first; then you can attach files.",
  // ---- end of attachments ----

  // ---- presence ----
  "presence.team": "Our team",
  "presence.replySoon": "We typically reply in a few minutes",
  "presence.awayShort": "Back {when}",
  "presence.awayShortUnknown": "We're away right now",
  "presence.away": "We're away right now. We'll be back {when}.",
  "presence.awayUnknown": "We're away right now. We'll reply as soon as we can.",
  "presence.today": "today at {time}",
  "presence.tomorrow": "tomorrow at {time}",
  "presence.onDay": "{day} at {time}",
  "presence.emailAsk": "Leave your email and the reply reaches you by mail too.",
  "presence.emailIntro": "Leave your email below and the reply reaches you by mail too.",
  "presence.emailLabel": "Your email",
  "presence.emailSend": "Notify me",
  "presence.emailSent": "Thanks! Please confirm {email} with the link we just sent.",
  "presence.emailFailed": "Could not save the address. Please try again.",
  "presence.emailKnown": "We'll also send the reply to {email}.",
  "presence.typing": "{name} is typing…",
  // ---- end of presence ----
};
