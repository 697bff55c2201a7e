"""identifyGreen on application-style texts (long, with amounts, places, schedules and several
components): the three confusions the engine used to make, each with its exact top item."""

from __future__ import annotations

from typing import Any

from tests.identification.test_identify_green import _codes, _identify

# making a product vs building or running a facility
CEMENT_WASTE_HEAT = (
    "广安市某水泥企业拟在现有两条日产4500吨熟料新型干法生产线上建设纯低温余热发电项目，"
    "总投资7200万元：在窑头篦冷机和窑尾预热器出口分别设置AQC锅炉和SP锅炉，新建一套12MW补汽"
    "凝汽式汽轮机及发电机组，配套循环冷却水系统、化学水处理和10千伏并网接入。项目建设期12个月，"
    "投运后年发电量约8000万千瓦时，可满足全厂约三分之一的用电。申请贷款5000万元，期限6年。"
)
GENERATOR_FACTORY = (
    "德阳市某发电设备公司拟投资4.5亿元建设高效发电机产业化项目，新建联合厂房5万平方米，购置大型"
    "数控龙门铣、定子线圈自动成型及真空压力浸渍设备，形成年产高效汽轮发电机、水轮发电机及燃机配套"
    "发电机共120台的制造能力，产品效率达98.9%以上，主要供应国内外电站。项目分两期建设，2026年"
    "全面达产，预计年销售收入18亿元。申请固定资产贷款3亿元，期限7年。"
)
# the subject of the text over incidental words
BATTERY_RECYCLING = (
    "宜宾市某循环科技公司投资6.5亿元建设退役锂离子电池循环利用基地，年处理废旧锂电池及极片废料"
    "4万吨。主要建设梯次利用检测车间、拆解破碎分选线、湿法冶炼车间和正极前驱体车间，回收的镍钴锰锂"
    "制成三元前驱体和碳酸锂回供本地电池企业，配套废气废水处理设施。项目2025年开工，建设期20个月。"
    "申请项目贷款4亿元，期限8年。"
)
AIR_COMPRESSORS = (
    "德阳市某重型装备制造企业实施空压站系统节能优化项目，总投资960万元：对全厂分散的9台老旧空压机"
    "进行集中整合，更换为3台变频永磁螺杆空压机和1台离心式空压机，新建智能群控系统，对4.5公里压缩"
    "空气管网进行查漏和改造，设置储气罐稳压，并对热处理车间风机、水泵电机实施变频改造。预计年节电"
    "430万千瓦时。工期6个月，申请技改贷款700万元。"
)
# the specific item over the general when its conditions are named
STEEL_ULTRA_LOW = (
    "乐山市沙湾区某钢铁企业实施超低排放改造项目，总投资5.8亿元：对265平方米烧结机烟气新增循环"
    "流化床半干法脱硫和SCR脱硝，球团竖炉增设脱硫脱硝设施，转炉二次除尘和高炉矿槽除尘改造为覆膜"
    "滤袋除尘器，建设封闭式原料大棚和物料皮带廊，厂内车辆改用新能源运输。工期20个月，申请贷款4亿元。"
)
PARK_WASTEWATER = (
    "眉山市彭山区某化工园区建设园区污水集中处理厂及配套管网项目，服务园区内26家精细化工和新材料"
    "企业，总投资2.9亿元。新建处理规模2万吨/日的污水处理厂一座，采用调节+水解酸化+多级AO+臭氧催化"
    "氧化工艺，企业废水经预处理后通过“一企一管”明管输送入厂，配套建设在线监测和应急事故池。项目"
    "建设期18个月，收入来自企业缴纳的污水处理费。申请项目贷款2亿元，期限15年。"
)
TANNERY_WASTEWATER = (
    "德阳市某皮革企业对厂区制革废水处理站实施提标改造，总投资2600万元，处理规模3000吨/日：新建"
    "含铬废水单独收集和碱沉淀回收铬系统，综合废水增加水解酸化、两级AO和芬顿深度处理单元，配套污泥"
    "板框压滤和在线监测设施，出水满足制革工业污染物排放标准并部分回用于生产。工期8个月。"
)


async def _top(gql: Any, text: str) -> str:
    return _codes(await _identify(gql, text))[0]


async def test_a_cement_plant_installing_a_waste_heat_generator_set_is_waste_heat_use(gql) -> None:
    # a generator set on a production line is a facility, not generator manufacturing (1.1.1.7)
    assert await _top(gql, CEMENT_WASTE_HEAT) == "1.1.2.3"


async def test_a_generator_factory_is_generator_manufacturing(gql) -> None:
    assert await _top(gql, GENERATOR_FACTORY) == "1.1.1.7"


async def test_a_lithium_battery_recycling_plant_is_waste_resource_recycling(gql) -> None:
    # not 废弃农膜回收利用 (2.2.1.3) nor the wastewater of its side components
    assert await _top(gql, BATTERY_RECYCLING) == "1.5.2.2"


async def test_an_air_compressor_system_optimisation_is_motor_system_efficiency(gql) -> None:
    # not a storage facility (储气罐), nor compressor manufacturing (1.1.1.4)
    assert await _top(gql, AIR_COMPRESSORS) == "1.1.2.2"


async def test_a_steelworks_ultra_low_emission_retrofit_is_the_steel_item(gql) -> None:
    result = await _identify(gql, STEEL_ULTRA_LOW)

    assert _codes(result)[:2] == ["2.1.1.3", "2.1.1.1"]


async def test_an_industrial_parks_central_wastewater_plant_is_the_park_item(gql) -> None:
    assert await _top(gql, PARK_WASTEWATER) == "2.1.2.2"


async def test_one_factorys_own_wastewater_plant_stays_the_industry_item(gql) -> None:
    # no park named: the general item keeps its place
    assert await _top(gql, TANNERY_WASTEWATER) == "2.1.2.1"


# the second round's shapes: the subject of the text over its side parts
SEWAGE_WORKS_PIPING_TO_A_PARK = (
    "宜宾市叙州区某水务公司实施城区第二污水处理厂扩建工程，新增处理规模6万吨/日，采用AAO+高效沉淀"
    "+反硝化深床滤池工艺，出水达到一级A标准。配套建设污泥低温干化车间和3万吨/日再生水泵站，并铺设"
    "6公里再生水管道向临港经济开发区工业园区供应冷却用水。项目总投资4.1亿元，建设期20个月，收入来自"
    "污水处理服务费和再生水费。申请项目贷款3亿元，期限18年。"
)
SLAG_PLANT_FED_BY_STEELWORKS = (
    "江油市某新型建材公司消纳周边钢铁企业产生的高炉矿渣和转炉钢渣，建设年处理50万吨冶金固废综合"
    "利用项目，总投资2.4亿元。建设钢渣辊压破碎、磁选除铁和立磨粉磨生产线，产品为矿渣微粉和钢渣粉，"
    "用作商品混凝土掺合料，回收的渣钢返回钢厂。项目建成后每年消纳工业固废50万吨，建设期15个月，"
    "申请中长期贷款1.5亿元，期限7年。"
)
GLASS_FURNACE_WASTE_HEAT = (
    "眉山市某光伏玻璃企业拟投资5200万元，回收厂内两座日熔化量1000吨的压延玻璃熔窑高温烟气余热，"
    "新建两台余热锅炉和一套8MW凝汽式汽轮发电机组，配套冷却塔、除盐水系统和厂内10千伏并网接入。"
    "项目建设期12个月，投运后年发电量约5800万千瓦时，全部由企业自用，年节约标准煤1.8万吨。"
    "申请固定资产贷款3600万元，期限7年。"
)
HIGH_ALTITUDE_SOLAR = (
    "阿坝州红原县高原光伏基地项目，规划装机容量300MW，总投资13.5亿元。在海拔3600米的退化草地上"
    "布置双面光伏组件和固定支架，配置组串式逆变器和箱式变压器，新建一座220千伏升压站和30公里送出"
    "线路，按装机15%、2小时配置储能。项目采用“光伏+生态修复”模式，2025年开工，2026年底全容量"
    "并网，首年上网电量约5.2亿千瓦时。申请项目贷款10亿元，期限20年。"
)
HIGHWAY_CHARGERS = (
    "四川某交通投资集团在京昆、成南等高速公路沿线20个服务区建设新能源汽车快充站，总投资1.2亿元，"
    "共安装360千瓦液冷超充桩80个和160千瓦直流快充桩240个，部分服务区配套车棚光伏和储能电池用于"
    "削峰填谷，接入集团统一的充电运营平台。项目2025年内分三批投运，收入来自充电服务费和停车费。"
    "申请项目贷款8000万元，期限10年。"
)


async def test_a_sewage_works_piping_reclaimed_water_to_a_park_is_the_municipal_item(gql) -> None:
    # the park is named only where the reclaimed water goes: not 工业集聚区水污染集中治理
    result = await _identify(gql, SEWAGE_WORKS_PIPING_TO_A_PARK)

    assert _codes(result) == ["5.3.1.1", "1.5.3.3", "2.1.2.2"]


async def test_a_slag_plant_fed_by_steelworks_is_industrial_solid_waste_use(gql) -> None:
    # 钢铁 names where the slag comes from, not a steel works' retrofit (2.1.1.3)
    result = await _identify(gql, SLAG_PLANT_FED_BY_STEELWORKS)

    assert _codes(result)[:2] == ["2.3.1.1", "2.1.1.3"]


async def test_a_glass_furnaces_waste_heat_plant_is_waste_heat_use(gql) -> None:
    # the generator set serves the waste-heat boiler: not 汽轮发电机组系统能效提升 (1.1.2.5)
    result = await _identify(gql, GLASS_FURNACE_WASTE_HEAT)

    assert _codes(result)[:2] == ["1.1.2.3", "1.1.2.5"]


async def test_a_solar_base_with_its_installed_capacity_is_solar_not_wind(gql) -> None:
    # 装机容量 is any power plant's word, not the wind item's
    result = await _identify(gql, HIGH_ALTITUDE_SOLAR)

    assert _codes(result)[:2] == ["3.2.2.2", "3.2.1.2"]
    assert "3.2.2.1" not in _codes(result)


async def test_highway_chargers_with_rooftop_solar_and_storage_are_charging(gql) -> None:
    # the solar carports and the batteries are side components of some service areas
    result = await _identify(gql, HIGHWAY_CHARGERS)

    assert _codes(result)[0] == "5.5.4.1"
    assert not {"3.2.2.2", "3.2.3.2"} & set(_codes(result))
