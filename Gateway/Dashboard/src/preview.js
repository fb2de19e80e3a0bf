// An email's HTML made safe to look at: nothing in it may fetch anything or count as an open or a click.

/**
 * The iframe's own policy, on top of the dashboard's: images only from data: URLs and no scripts, so even
 * markup the cleaning below misses cannot reach the tracking pixel or any other server.
 */
const Policy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:";
const Blank = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

export function previewDocument(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  doc.querySelectorAll("script, iframe, frame, object, embed, link, base, meta, form, audio, video, source").forEach((e) => e.remove());
  for (const element of doc.querySelectorAll("*")) {
    for (const attribute of [...element.attributes]) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on") || name === "srcset" || name === "background" || name === "ping") element.removeAttribute(attribute.name);
    }
  }
  for (const image of doc.querySelectorAll("img")) {
    // The open pixel goes; other remote images keep their size and alt text.
    if ((image.getAttribute("src") ?? "").includes("/v1/track/open/")) image.remove();
    else if (!(image.getAttribute("src") ?? "").startsWith("data:")) image.setAttribute("src", Blank);
  }
  // A link is shown, not followed: following a tracked link would record a click.
  for (const link of doc.querySelectorAll("a[href]")) {
    link.setAttribute("title", link.getAttribute("href"));
    link.removeAttribute("href");
  }
  const meta = doc.createElement("meta");
  meta.setAttribute("http-equiv", "Content-Security-Policy");
  meta.setAttribute("content", Policy);
  // Links and images that were turned off still show where they are.
  const style = doc.createElement("style");
  style.textContent = "a[title]{color:#1d4ed8;text-decoration:underline} img{background:#e5e7eb}";
  doc.head.prepend(meta, style);
  return `<!doctype html>${doc.documentElement.outerHTML}`;
}
