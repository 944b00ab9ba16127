"""Seoul's 25 autonomous districts (자치구)."""

from flask_babel import lazy_gettext as _l

from gachi.core.enums import LabelledEnum


class District(LabelledEnum):
    JONGNO = ("jongno", _l("Jongno-gu"))
    JUNG = ("jung", _l("Jung-gu"))
    YONGSAN = ("yongsan", _l("Yongsan-gu"))
    SEONGDONG = ("seongdong", _l("Seongdong-gu"))
    GWANGJIN = ("gwangjin", _l("Gwangjin-gu"))
    DONGDAEMUN = ("dongdaemun", _l("Dongdaemun-gu"))
    JUNGNANG = ("jungnang", _l("Jungnang-gu"))
    SEONGBUK = ("seongbuk", _l("Seongbuk-gu"))
    GANGBUK = ("gangbuk", _l("Gangbuk-gu"))
    DOBONG = ("dobong", _l("Dobong-gu"))
    NOWON = ("nowon", _l("Nowon-gu"))
    EUNPYEONG = ("eunpyeong", _l("Eunpyeong-gu"))
    SEODAEMUN = ("seodaemun", _l("Seodaemun-gu"))
    MAPO = ("mapo", _l("Mapo-gu"))
    YANGCHEON = ("yangcheon", _l("Yangcheon-gu"))
    GANGSEO = ("gangseo", _l("Gangseo-gu"))
    GURO = ("guro", _l("Guro-gu"))
    GEUMCHEON = ("geumcheon", _l("Geumcheon-gu"))
    YEONGDEUNGPO = ("yeongdeungpo", _l("Yeongdeungpo-gu"))
    DONGJAK = ("dongjak", _l("Dongjak-gu"))
    GWANAK = ("gwanak", _l("Gwanak-gu"))
    SEOCHO = ("seocho", _l("Seocho-gu"))
    GANGNAM = ("gangnam", _l("Gangnam-gu"))
    SONGPA = ("songpa", _l("Songpa-gu"))
    GANGDONG = ("gangdong", _l("Gangdong-gu"))


def in_city_order(districts) -> list[District]:
    """`districts` without repeats, in the order above (the city's usual order)."""
    chosen = set(districts)
    return [district for district in District if district in chosen]
