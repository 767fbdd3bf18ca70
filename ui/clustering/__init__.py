"""The clustering page's views, one module per tab: grid (compare algorithms), deep (deep clustering
on digits), table (your own CSV), texts (text lines); figures in plots, shared widgets in controls."""
