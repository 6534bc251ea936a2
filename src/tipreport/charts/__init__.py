"""Charts: the one figure style and saving (style), chart functions (charts, country_chart), the world map.

Step 3 of 4, charts: may import tipreport.paths, tipreport.fileops, tipreport.data_in, tipreport.analysis and other tipreport.charts modules; never outputs."""
