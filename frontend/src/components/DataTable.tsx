// A table that scrolls sideways on narrow screens, with one row of column
// headers; the body rows are the caller's.
import type { ReactNode } from 'react';

export default function DataTable({
  headers,
  compact = false,
  children,
}: {
  headers: ReactNode[];
  compact?: boolean;
  children: ReactNode;
}) {
  return (
    <div className="table-responsive">
      <table className={compact ? 'table table-sm' : 'table'}>
        <thead>
          <tr>
            {headers.map((header, at) => (
              <th key={at} scope="col">
                {header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
