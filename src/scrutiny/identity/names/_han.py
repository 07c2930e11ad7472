"""Data: Han Chinese surnames, and the readings surnames take that differ from the common word.

The single-character list holds the surnames of roughly 90 % of Han Chinese (the frequency
tables of the 2020 census publications and the Hundred Family Surnames), in simplified
characters, plus the traditional forms most likely to appear. The compound list is the
two-character surnames still in use.
"""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


SINGLE_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
    "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
    "屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
    "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥"
    "南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支"
    "卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印"
    "逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
    "張劉陳楊黃趙吳孫馬郭羅鄭謝許韓馮鄧蕭葉蘇魏呂盧薑鐘譚陸範賈韋鄒邱閻雷龍陶賀顧毛郝龔錢嚴湯"
)

COMPOUND_SURNAMES = frozenset(
    _words(
        "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 令狐 夏侯 轩辕 端木 独孤 南宫 "
        "西门 百里 呼延 万俟 澹台 公冶 太史 申屠 钟离 闻人 赫连 濮阳 司空 东郭 第五 拓跋 歐陽 司馬 "
        "諸葛 長孫 令狐 夏侯 軒轅 獨孤 鍾離 聞人"
    )
)

# Surnames whose surname reading differs from the character's most common reading, which is
# what a plain pinyin converter gives (单 is "dan" as a word, "Shan" as a surname).
SURNAME_READINGS: dict[str, str] = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "区": "ou", "朴": "piao",
    "查": "zha", "査": "zha", "乐": "yue", "覃": "qin", "盖": "ge", "缪": "miao",
    "秘": "bi", "召": "shao", "员": "yun", "繁": "po", "翟": "zhai", "折": "she",
    "种": "chong", "句": "gou", "华": "hua", "任": "ren", "宁": "ning", "纪": "ji",
    "沈": "shen", "柏": "bai", "朝": "chao", "隗": "wei", "黑": "he", "阚": "kan",
    "过": "guo", "都": "du", "莘": "shen", "那": "na", "能": "nai", "石": "shi",
    "薄": "bo", "冼": "xian", "尉": "yu", "燕": "yan", "谌": "chen", "逄": "pang",
    "佴": "nai", "长": "zhang", "重": "chong", "万": "wan", "便": "pian", "贲": "ben",
    "藏": "zang", "厉": "li", "盛": "sheng", "殷": "yin", "相": "xiang", "宿": "su",
    "亓": "qi", "调": "diao", "阿": "a", "传": "chuan", "车": "che", "卜": "bu",
    "尉迟": "yuchi", "万俟": "moqi", "长孙": "zhangsun", "单于": "chanyu",
}

# The pinyin of the surnames above (surname readings), to recognise Han names in Latin letters.
SURNAME_PINYIN = frozenset(_words("""
ai an ao ba bai baili ban bao bi bian bin bo bu cai cao cen chai chang chao che chen cheng chi
chu cong cui dai dan dang deng di diao ding diwu dong dongfang dongguo dou du duan duanmu dugu
fan fang fei feng fu gan gao ge geng gong gongsun gongye gou gu guan gui guo ha hai han hang hao
he helian heng hou hu hua huang huangfu hui huo huyan ji jia jian jiang jiao jie jin jing ju kan
kang ke kong kou kuang lai lan lang lao lei leng li lian liang liao lin ling linghu liu long lou
lu luan luo lv lü ma mai man mao mei men meng mi miao min ming mo moqi mou mu murong na nan
nangong ni nie ning niu nong ou ouyang pan pang pei peng pi piao ping pu puyang qi qian qiang
qiao qin qing qiu qu quan que ran rao ren rong ru ruan rui sang sha shan shang shangguan shao she
shen sheng shentu shi shu shuai si sikong sima situ song su sui sun suo tai taishi tan tang
tantai tao teng tian tong tu tuoba wan wang wei wen weng wenren wu xi xia xiahou xian xiang xiao
xie ximen xin xing xiong xiu xu xuan xuanyuan xue yan yang yao ye yi yin ying yong you yu yuan
yuchi yue yun yuwen zan zang zeng zha zhai zhan zhang zhangsun zhao zhen zheng zhi zhong zhongli
zhou zhu zhuang zhuge zhuo zong zou zu zuo
"""))
