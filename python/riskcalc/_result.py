"""The result of a riskcalc function: a numpy structured array with the tool's column names and
the header metadata as its .meta dict."""
import numpy as np


class Result(np.ndarray):
    """A numpy structured array (one field per column of the tool's table, float64 -- a label
    column such as schedule_opt's kind is str -- one element per row) with

    - .meta: the header metadata, a dict of str -> str with the tool's keys and texts ("schedule",
      "signal", "G (M = 64)", ...) plus "parameters", the keyword arguments as given;
    - .columns: the column names, in the tool's order;
    - .to_frame(): the same table as a pandas.DataFrame (pandas must be importable).

    Indexing by a column name (r["risk"]) gives a plain float64 array; slicing rows keeps .meta.
    """

    def __new__(cls, columns, rows, meta, text=()):
        # text: the columns that hold labels (schedule-opt's kind), stored as str
        dtype = np.dtype([(c, "U32" if c in text else np.float64) for c in columns])
        data = np.zeros(len(rows), dtype=dtype)
        for k, row in enumerate(rows):
            data[k] = tuple(row)
        obj = data.view(cls)
        obj.meta = meta
        return obj

    def __array_finalize__(self, obj):
        self.meta = getattr(obj, "meta", {})

    def __getitem__(self, key):
        item = super().__getitem__(key)
        if isinstance(key, str) and isinstance(item, np.ndarray):
            return np.asarray(item)  # a column: a plain array
        return item

    @property
    def columns(self):
        return list(self.dtype.names or ())

    def to_frame(self):
        """The table as a pandas.DataFrame (ImportError when pandas is not installed); the
        metadata is in the frame's .attrs["meta"]."""
        import pandas as pd

        frame = pd.DataFrame({c: np.asarray(self[c]) for c in self.columns})
        frame.attrs["meta"] = dict(self.meta)
        return frame

    def to_records(self):
        """The rows as a list of dicts (column -> float)."""
        return [{c: (str(row[c]) if self.dtype[c].kind == "U" else float(row[c]))
                 for c in self.columns} for row in np.asarray(self)]
