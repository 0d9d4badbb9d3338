/**
 * PostgreSQL's change counter (DialectAdapter.changeCounter, unchanged-reads.ts): the text of
 * `pg_current_snapshot()`, i.e. xmin, xmax and the transactions in progress. Two equal snapshots
 * see the same transactions as committed — every transaction that ends leaves the in-progress
 * list or moves xmax past itself — so the same query answers the same rows under both, whoever
 * wrote (this process, another one, psql by hand; the xids are 64-bit, they never wrap). It
 * moves with every write transaction of the whole cluster, other databases' too: then the reads
 * are simply made again. Sequences and other non-transactional state are not what the kept
 * reads show.
 *
 * A caller must get a snapshot taken after it asked (a request that comes after a commit, a
 * revocation say, must see it), so a read already sent cannot answer a newcomer. Yet one round
 * trip per request is what the kept reads are there to save: at most one read is sent at a
 * time, and everyone who asks while it is out shares the next one, sent as soon as it returns.
 * Undefined (not known: read from the database) when the read fails.
 */
export function currentSnapshots(read: () => Promise<string>): () => Promise<string | undefined> {
  let sent: Promise<string | undefined> | undefined;
  let queued: Promise<string | undefined> | undefined;
  const send = () => {
    const answer = read().then((snapshot) => snapshot, () => undefined);
    sent = answer;
    void answer.then(() => {
      if (sent === answer) sent = undefined;
    });
    return answer;
  };
  return () => {
    if (sent === undefined) return send();
    queued ??= sent.then(() => {
      queued = undefined;
      return send();
    });
    return queued;
  };
}
