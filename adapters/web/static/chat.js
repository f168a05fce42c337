/* An agent's personal chat link, /chat/{agent}: a guest starts or continues their conversation with
 * that agent and schedules from it. It is the widget (widget-app.js and its modules) rendered full
 * page, so the chat, the session and the booking view are the very same code as on a website. */
import { localisePage } from "./lib/i18n.js";
import { start } from "./widget-app.js";

const slug = decodeURIComponent(location.pathname.split("/")[2] || "");
// The widget reads its options from a <script> tag's data-* attributes; here they come from the URL.
// The page's language first: the widget reads it from <html lang>.
const t = await localisePage();
const options = { dataset: { agent: slug, layout: "page", title: t("widget.dialog") } };
start(options, location.origin);
