#!/usr/bin/env python3
"""Which B-trees a group commit of index rows dirties, counted in WAL frames (issue 11).

Takes a database the storage floor left behind (BENCH_KEEP=1 ... --scenarios submit,commit), lifts the index rows of
its last GROUPS x RESOURCES resources out, and commits them back one group at a time, each group as the group
committer writes it (table by table in lookup-key order), in WAL mode with checkpoints between groups. Each group's
WAL frames are mapped to their index or table through SQLite's dbstat. Only index rows are replayed, not the version
rows, so the totals sit a little below the floor's "WAL KB/request".

    python3 bench/tools/wal_pages.py DB RESOURCES_PER_GROUP GROUPS ["SQL run before the replay; more SQL"]
    # e.g. a group of 4 submits (5 resources each), 10 groups:
    python3 bench/tools/wal_pages.py /tmp/alliancefhir-bench-XXXX/commit-submit.db 20 10
Set SKIP_PARAM=_id to leave one parameter's rows out of the replay.
"""
import collections
import os
import shutil
import sqlite3
import struct
import sys

TABLES = {
    'TokenIndex': 'ParamKey,Code,System', 'StringIndex': 'ParamKey,Normalized', 'DateIndex': 'ParamKey,Start,End',
    'ReferenceIndex': 'ParamKey,TargetId,TargetType', 'UriIndex': 'ParamKey,Uri', 'NumberIndex': 'ParamKey,Low',
    'QuantityIndex': 'ParamKey,Code,Low',
}


def main():
    source, per_group, groups = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    before = sys.argv[4] if len(sys.argv) > 4 else ''
    skip = os.environ.get('SKIP_PARAM')
    db = source + '.replay'
    for suffix in ('', '-wal', '-shm'):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    shutil.copy(source, db)
    c = sqlite3.connect(db, isolation_level=None)
    c.execute('pragma journal_mode=delete')
    for statement in filter(str.strip, before.split(';')):
        c.execute(statement)

    first = c.execute('select max(Surrogate) from Resources').fetchone()[0] - per_group * groups
    saved = {}
    for table in TABLES:
        columns = [r[1] for r in c.execute(f'pragma table_info({table})') if r[1] != 'Id']
        saved[table] = (columns, c.execute(f'select {",".join(columns)} from {table} where ResourceSurrogate > ?', (first,)).fetchall())
        c.execute(f'delete from {table} where ResourceSurrogate > ?', (first,))
    c.execute('vacuum')
    c.execute('pragma journal_mode=wal')
    c.execute('pragma wal_autocheckpoint=0')

    frames, by_tree = 0, collections.Counter()
    for g in range(groups):
        c.execute('pragma wal_checkpoint(TRUNCATE)')
        low, high = first + g * per_group, first + (g + 1) * per_group
        c.execute('begin immediate')
        for table, key in TABLES.items():
            columns, rows = saved[table]
            surrogate, param = columns.index('ResourceSurrogate'), columns.index('ParamName')
            keys = [columns.index(k) for k in key.split(',')]
            group = [r for r in rows if low < r[surrogate] <= high and r[param] != skip]
            group.sort(key=lambda r: tuple((r[i] is None, r[i]) for i in keys))
            c.executemany(f'insert into {table} ({",".join(columns)}) values ({",".join("?" * len(columns))})', group)
        c.execute('commit')
        wal = open(db + '-wal', 'rb').read()
        page_size = struct.unpack('>I', wal[8:12])[0]
        pages, offset = [], 32
        while offset + 24 + page_size <= len(wal):
            pages.append(struct.unpack('>I', wal[offset:offset + 4])[0])
            offset += 24 + page_size
        names = dict(c.execute('select pageno, name from dbstat').fetchall())
        frames += len(pages)
        by_tree.update(names.get(p, '?') for p in pages)

    c.close()
    for suffix in ('', '-wal', '-shm'):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    print(f'WAL frames per group of {per_group} resources: {frames / groups:.1f} '
          f'({frames * (page_size + 24) / 1024 / (per_group * groups):.1f} KB per resource)')
    for name, count in by_tree.most_common():
        print(f'  {name:32s} {count / groups:6.1f}')


if __name__ == '__main__':
    main()
