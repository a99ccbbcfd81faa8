"""Real Chinese cities with their coordinates and regions, and great-circle distances.

Coordinates are city centres (WGS84, degrees, rounded to 0.01°). Populations are
approximate urban-area populations (millions, early 2020s) and only weight where
synthetic hospitals are placed. Regions are the seven traditional divisions of
mainland China (华北, 东北, 华东, 华中, 华南, 西南, 西北).
"""

from typing import NamedTuple

import numpy as np

EARTH_RADIUS_KM = 6371.0

REGIONS: dict[str, str] = {
    "north": "North China",
    "northeast": "Northeast China",
    "east": "East China",
    "central": "Central China",
    "south": "South China",
    "southwest": "Southwest China",
    "northwest": "Northwest China",
}


class City(NamedTuple):
    """A real city: code (IATA-style), name, province, region id, position and population."""

    code: str
    name: str
    province: str
    region: str
    latitude: float
    longitude: float
    population: float  # millions


CITIES: tuple[City, ...] = (
    # North China
    City("PEK", "Beijing", "Beijing", "north", 39.90, 116.41, 21.9),
    City("TSN", "Tianjin", "Tianjin", "north", 39.13, 117.20, 13.6),
    City("SJW", "Shijiazhuang", "Hebei", "north", 38.04, 114.51, 11.2),
    City("BDG", "Baoding", "Hebei", "north", 38.87, 115.46, 11.5),
    City("TVS", "Tangshan", "Hebei", "north", 39.63, 118.18, 7.7),
    City("TYN", "Taiyuan", "Shanxi", "north", 37.87, 112.55, 5.4),
    City("HET", "Hohhot", "Inner Mongolia", "north", 40.84, 111.75, 3.5),
    # Northeast China
    City("SHE", "Shenyang", "Liaoning", "northeast", 41.81, 123.43, 9.1),
    City("DLC", "Dalian", "Liaoning", "northeast", 38.91, 121.61, 7.5),
    City("CGQ", "Changchun", "Jilin", "northeast", 43.82, 125.32, 9.1),
    City("HRB", "Harbin", "Heilongjiang", "northeast", 45.80, 126.53, 9.9),
    # East China
    City("SHA", "Shanghai", "Shanghai", "east", 31.23, 121.47, 24.9),
    City("NKG", "Nanjing", "Jiangsu", "east", 32.06, 118.80, 9.5),
    City("SZV", "Suzhou", "Jiangsu", "east", 31.30, 120.59, 12.9),
    City("WUX", "Wuxi", "Jiangsu", "east", 31.49, 120.31, 7.5),
    City("HGH", "Hangzhou", "Zhejiang", "east", 30.27, 120.16, 12.4),
    City("NGB", "Ningbo", "Zhejiang", "east", 29.87, 121.54, 9.6),
    City("HFE", "Hefei", "Anhui", "east", 31.82, 117.23, 9.6),
    City("FOC", "Fuzhou", "Fujian", "east", 26.07, 119.30, 8.4),
    City("XMN", "Xiamen", "Fujian", "east", 24.48, 118.09, 5.3),
    City("TNA", "Jinan", "Shandong", "east", 36.65, 117.12, 9.4),
    City("TAO", "Qingdao", "Shandong", "east", 36.07, 120.38, 10.3),
    City("KHN", "Nanchang", "Jiangxi", "east", 28.68, 115.86, 6.5),
    # Central China
    City("WUH", "Wuhan", "Hubei", "central", 30.59, 114.31, 13.7),
    City("YIH", "Yichang", "Hubei", "central", 30.69, 111.29, 4.0),
    City("CSX", "Changsha", "Hunan", "central", 28.23, 112.94, 10.5),
    City("CGO", "Zhengzhou", "Henan", "central", 34.75, 113.63, 12.8),
    City("LYA", "Luoyang", "Henan", "central", 34.62, 112.45, 7.1),
    # South China
    City("CAN", "Guangzhou", "Guangdong", "south", 23.13, 113.26, 18.8),
    City("SZX", "Shenzhen", "Guangdong", "south", 22.54, 114.06, 17.7),
    City("DGM", "Dongguan", "Guangdong", "south", 23.02, 113.75, 10.5),
    City("FUO", "Foshan", "Guangdong", "south", 23.02, 113.12, 9.6),
    City("ZUH", "Zhuhai", "Guangdong", "south", 22.27, 113.58, 2.5),
    City("NNG", "Nanning", "Guangxi", "south", 22.82, 108.37, 8.9),
    City("HAK", "Haikou", "Hainan", "south", 20.04, 110.20, 2.9),
    # Southwest China
    City("CTU", "Chengdu", "Sichuan", "southwest", 30.57, 104.07, 21.4),
    City("MIG", "Mianyang", "Sichuan", "southwest", 31.47, 104.68, 4.9),
    City("CKG", "Chongqing", "Chongqing", "southwest", 29.56, 106.55, 16.0),
    City("KMG", "Kunming", "Yunnan", "southwest", 25.04, 102.71, 8.5),
    City("KWE", "Guiyang", "Guizhou", "southwest", 26.65, 106.63, 6.2),
    City("LXA", "Lhasa", "Tibet", "southwest", 29.65, 91.14, 0.9),
    # Northwest China
    City("XIY", "Xi'an", "Shaanxi", "northwest", 34.34, 108.94, 13.0),
    City("LHW", "Lanzhou", "Gansu", "northwest", 36.06, 103.83, 4.4),
    City("INC", "Yinchuan", "Ningxia", "northwest", 38.49, 106.23, 2.9),
    City("XNN", "Xining", "Qinghai", "northwest", 36.62, 101.78, 2.5),
    City("URC", "Urumqi", "Xinjiang", "northwest", 43.83, 87.62, 4.1),
)

CITY_BY_CODE: dict[str, City] = {c.code: c for c in CITIES}

# Where a regional hub goes, best first (the region's logistics centre).
HUB_CITIES: dict[str, tuple[str, ...]] = {
    "east": ("SHA", "NKG", "HGH", "TNA", "FOC", "HFE"),
    "south": ("CAN", "SZX", "NNG"),
    "north": ("PEK", "TSN", "SJW"),
    "southwest": ("CTU", "CKG", "KMG"),
    "central": ("WUH", "CGO", "CSX"),
    "northeast": ("SHE", "HRB", "DLC"),
    "northwest": ("XIY", "LHW", "URC"),
}


def great_circle_km(lat1: np.ndarray | float, lon1: np.ndarray | float,
                    lat2: np.ndarray | float, lon2: np.ndarray | float) -> np.ndarray:
    """Great-circle (haversine) distance in km between points given in degrees; broadcasts."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def distance_matrix_km(lat_a: np.ndarray, lon_a: np.ndarray,
                       lat_b: np.ndarray, lon_b: np.ndarray) -> np.ndarray:
    """Great-circle distances (km) from every point a (rows) to every point b (columns)."""
    return great_circle_km(np.asarray(lat_a)[:, None], np.asarray(lon_a)[:, None],
                           np.asarray(lat_b)[None, :], np.asarray(lon_b)[None, :])
