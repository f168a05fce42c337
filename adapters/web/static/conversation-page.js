/* The guest's page for one conversation (/c/{id}): the links in guest mails open it.
 *
 * It runs the widget for that one conversation and opens it. A browser that is not signed in as a
 * member sees the widget's "Continue a previous conversation": a one-time link mailed to the address
 * comes back here (/c/{id}?email_link=…) and signs the browser in (adapters/web/returning_api.py).
 */
import { localisePage } from "./lib/i18n.js";
import { start } from "./widget-app.js";

const id = decodeURIComponent(location.pathname.split("/")[2] || "");
// The page's language first: the widget reads it from <html lang>. start() resolves once it is built.
const t = await localisePage();
start({ dataset: { conversation: id, title: t("widget.conversationTitle") } }, location.origin).then(() => window.Convene.widget.open());
