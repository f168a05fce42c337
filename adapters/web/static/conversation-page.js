/* The guest's page for one conversation (/c/{id}): the links in guest mails open it.
 *
 * It runs the widget for that one conversation and opens it. A browser that is not signed in as a
 * member sees the widget's "Continue a previous conversation": a one-time link mailed to the address
 * comes back here (/c/{id}?email_link=…) and signs the browser in (adapters/web/returning_api.py).
 */
import { start } from "./widget-app.js";

const id = decodeURIComponent(location.pathname.split("/")[2] || "");
// start() resolves once the widget is built (it loads the guest's language first).
start({ dataset: { conversation: id, title: "Your conversation" } }, location.origin).then(() => window.Convene.widget.open());
