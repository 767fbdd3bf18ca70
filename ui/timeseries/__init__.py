"""The time-series page's views: `data` (step 1), `model` (step 2: settings, Train, live curves) and
the result tabs `backtest`, `future`, `residuals`; `charts` draws their figures."""
