namespace Orleans.Zuul.Grains;
