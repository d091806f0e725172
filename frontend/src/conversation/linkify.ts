// Messages are plain text: addresses in them are shown as links, nothing
// else is interpreted (no HTML, no markup).

/** A piece of a message: text as written, or a link. */
export type Piece = { text: string } | { href: string };

const ADDRESS = /\bhttps?:\/\/[^\s<>"']+/giu;
// What usually closes a sentence rather than an address.
const TRAILING = /[.,;:!?)\]»]+$/u;

/** `body` cut into text and http(s) links, in order. */
export function linkify(body: string): Piece[] {
  const pieces: Piece[] = [];
  let last = 0;
  for (const match of body.matchAll(ADDRESS)) {
    const start = match.index ?? 0;
    const href = match[0].replace(TRAILING, '');
    if (start > last) pieces.push({ text: body.slice(last, start) });
    pieces.push({ href });
    last = start + href.length;
  }
  if (last < body.length) pieces.push({ text: body.slice(last) });
  return pieces;
}
