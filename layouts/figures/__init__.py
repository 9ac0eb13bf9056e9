"""Pure figure builders: DataFrame (+ language) in, plotly Figure out."""
