// The art. 55 co-progettazione in the project workspace: the public
// notice (written and published by the public body), the applications
// (sent by the organisations' admins, admitted and scored by the public
// body), the ranking, and the minutes of the evaluation and of the
// co-design table. Loads the procedure's own fields next to the
// workspace's; every change answers with both, which replace the page's
// copy. Nothing is shown for a patto di collaborazione.
import { useEffect, useRef, useState } from 'react';
import { ProjectArt55Document } from '../../../generated/graphql/graphql';
import { useQuery } from '../../graphql/client';
import type { Workspace } from '../../projects/workspace';
import type { Art55 } from '../../projects/art55';
import Art55Notice from './Art55Notice';
import Art55Applications from './Art55Applications';
import Art55Ranking from './Art55Ranking';
import Art55Minutes from './Art55Minutes';

type Props = { ws: Workspace; onChange: (ws: Workspace) => void };

export default function Art55Sections({ ws, onChange }: Props) {
  if (ws.procedure !== 'COPROGETTAZIONE') return null;
  return <Art55Loaded ws={ws} onChange={onChange} />;
}

function Art55Loaded({ ws, onChange }: Props) {
  const { data, reload } = useQuery(ProjectArt55Document, { id: ws.id });
  const [changed, setChanged] = useState<Art55>();
  useEffect(() => setChanged(undefined), [data]);
  // The workspace changed elsewhere (a stage passed, another partner's
  // activity): ask again, unless the change is the one made here.
  const sent = useRef<Workspace>(ws);
  useEffect(() => {
    if (sent.current === ws) return;
    sent.current = ws;
    reload();
  }, [ws, reload]);
  const art = changed ?? data?.project;
  if (!art) return null;
  const update = (next: Art55) => {
    setChanged(next);
    sent.current = next;
    onChange(next);
  };
  return (
    <>
      <Art55Notice ws={art} onChange={update} />
      {art.stage !== 'PUBLIC_NOTICE' && <Art55Applications ws={art} onChange={update} onApplied={reload} />}
      <Art55Ranking ws={art} />
      <Art55Minutes ws={art} onChange={update} />
    </>
  );
}
