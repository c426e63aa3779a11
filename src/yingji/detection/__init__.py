"""Early warning (监测预警): detection algorithms, detection runs, signals and their verification."""
