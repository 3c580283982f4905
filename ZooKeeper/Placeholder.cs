namespace Orleans.Zuul.ZooKeeper;
