// A titled part of a page: the section is labelled by its own heading, so
// screen readers list it under that name.
import type { ReactNode } from 'react';

export default function Section({
  id,
  title,
  intro,
  className,
  children,
}: {
  /** The heading's id, which labels the section. */
  id: string;
  title: string;
  /** A paragraph under the heading. */
  intro?: string;
  className?: string;
  children?: ReactNode;
}) {
  return (
    <section aria-labelledby={id} className={className}>
      <h2 id={id} className="h4">{title}</h2>
      {intro && <p>{intro}</p>}
      {children}
    </section>
  );
}
