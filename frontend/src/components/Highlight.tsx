// A search snippet: the API sends escaped text with the matched words in
// <mark>; it is rendered as React text and <mark> elements, never as HTML.
import { Fragment } from 'react';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x27': "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, name: string) => {
    if (ENTITIES[name]) return ENTITIES[name];
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return whole;
  });
}

/** The snippet as alternating plain and marked pieces. */
export function splitMarks(fragment: string): { text: string; marked: boolean }[] {
  return fragment
    .split(/(<mark>.*?<\/mark>)/s)
    .filter((piece) => piece !== '')
    .map((piece) =>
      piece.startsWith('<mark>')
        ? { text: decodeEntities(piece.slice(6, -7)), marked: true }
        : { text: decodeEntities(piece), marked: false },
    );
}

export default function Highlight({ fragment }: { fragment: string }) {
  return (
    <>
      {splitMarks(fragment).map((piece, i) =>
        piece.marked ? <mark key={i}>{piece.text}</mark> : <Fragment key={i}>{piece.text}</Fragment>,
      )}
    </>
  );
}
