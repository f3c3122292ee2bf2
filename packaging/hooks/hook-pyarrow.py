"""Replaces pyinstaller-hooks-contrib's pyarrow hook, which collects every submodule and
shared library (Flight, Substrait, Gandiva, cloud file systems: ~40 MB) plus the C++
headers.  Tollgate reads Parquet (pyarrow.parquet via pandas and
console/monitoring/stream.py) and nothing else; PyInstaller's binary dependency analysis
pulls in the libraries those extension modules link (libarrow, libarrow_compute,
libparquet, libarrow_dataset, libarrow_acero, libarrow_python)."""

hiddenimports = [
    "pyarrow.lib",
    "pyarrow._compute",
    "pyarrow.compute",
    "pyarrow._fs",
    "pyarrow.fs",
    "pyarrow._csv",
    "pyarrow._json",
    "pyarrow._parquet",
    "pyarrow.parquet",
    "pyarrow._dataset",
    "pyarrow._dataset_parquet",
    "pyarrow.dataset",
    "pyarrow._acero",
    "pyarrow.acero",
    "pyarrow.pandas_compat",
    "pyarrow.vendored.version",
    "pyarrow.vendored.docscrape",
]
