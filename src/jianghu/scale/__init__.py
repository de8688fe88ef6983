"""Scale-out: the heavy, pure analysis on a Dask cluster, the results in PostgreSQL.

``cluster`` connects to (or starts) the cluster; ``ingest_dask`` and ``reanalyze_dask``
run ingest's and reanalyze's work as partitions on its workers, which write their own
results; ``offers_dask`` and ``actors_dask`` compute offer signatures and actor evidence
there and merge them into the same results as the single-process path.
"""
