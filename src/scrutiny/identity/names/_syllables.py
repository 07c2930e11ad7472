"""Data: the characters used to write Uyghur sounds in Chinese, and what each can stand for.

Official practice in Xinjiang (the regional language commission's rules for writing Uyghur
personal and place names in Chinese characters) gives each Uyghur syllable a fixed character:
ba 巴, be 拜, bi 比, bo 博, bu 布; ta 塔, te 太, ti 提, to 托, tu 吐; qa/ka 卡, qe/ke 开,
qu/ku 库; ma 马/玛, me 买/麦, mi 米, mu 木; re 热, ri 日, ro 肉, ru 如 (Mandarin has no "ra": r+a
is written 拉) and so on. A consonant that closes a syllable is written with the character of
that consonant plus its "neutral" vowel: -t 提, -m 木, -l 力/勒, -r 尔, -z 孜, -s 斯, -p 甫/普,
-k/-q 克, -x/-h 合, -b 不/卜, -d 地/德, -ch 其, -sh 什/西. Chinese has no letter for the vowel
differences Uyghur makes (a/e, o/ö/u/ü), so one character stands for several readings.

Each line below: the character, its Mandarin pinyin (slash-separated if several are in use in
transcriptions), then the Uyghur Latin (ULY) readings it stands for, most usual first. A bare
consonant reading (``t``) is the syllable-closing use. The table covers the characters of the
personal-name and place-name practice; readings are general sound correspondences, not
spellings of particular names.
"""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


SYLLABLES = """
阿 a a e gha ha
艾 ai e é he ey ay xe
埃 ai e é
爱 ai ay e ey
安 an an en ghan
昂 ang ang
奥 ao o ö aw u
欧 ou o ö
伊 yi i yi é y
依 yi i yi y é
衣 yi i yi y
亦 yi i y
义 yi yil i yi
易 yi i y
吾 wu u ö o w wu gho ho ghu
伍 wu u wu
乌 wu u ü ö o w wu
玉 yu yü ü yu u
尤 you yu yo yü
于 yu yü yu ü
恩 en en in
因 yin in yin
英 ying yéng ing ying
温 wen on un ön ün wen
翁 weng ong öng ung
额 e e é ö
厄 e e é
鄂 e e ö
俄 e o e
巴 ba ba be bagh
拜 bai be bé bay bey bi
白 bai bay be
班 ban ban ben
邦 bang bang
包 bao bo baw
保 bao bo
宝 bao bo
贝 bei bé bey
本 ben ben bin
比 bi bi b bé
毕 bi bi
别 bie bé be
宾 bin bin
波 bo bo bö
博 bo bo bö bu
伯 bo bo
布 bu bu bü b bo
不 bu b bu
卜 bu b bu
帕 pa pa pe fa
派 pai pe pey
排 pai pe pey
潘 pan pan pen
盼 pan pen
佩 pei pe pé
培 pei pe
皮 pi pi p pé
坪 ping pin ping
坡 po po pö pu
普 pu p pu pü
甫 fu p pu f
浦 pu pu p
蒲 pu pu
铺 pu po pu
夫 fu p pu f
法 fa pa fa
菲 fei pi fi
福 fu pu p fu
番 fan pan fan
塔 ta ta te
他 ta ta
太 tai te té tey tay
泰 tai te tay
坦 tan tan ten
唐 tang tang
塘 tang teng tang
陶 tao to taw
特 te te t té
铁 tie tö té ti
提 ti t ti té
帖 tie té
天 tian ten tén
田 tian ten
托 tuo to tö tu t
吐 tu tu tü to tö
图 tu tu tü
土 tu tu
吞 tun tun tün
通 tong tong tung
达 da da de
答 da da
大 da da
代 dai de
戴 dai de
旦 dan dan den de
丹 dan dan den
当 dang dang
德 de d de dé
得 de d de
登 deng deng dén
迪 di di d dé
地 di d di dé
帝 di di
丁 ding din ding
鼎 ding din ding
东 dong dong dung
冬 dong dong
都 du/dou du dü d do
杜 du du
度 du du
多 duo do dö du
朵 duo do
敦 dun dun
顿 dun dun
加 jia ja je
嘉 jia ja
佳 jia ja
吉 ji ji j gi je
及 ji ji
季 ji ji
杰 jie je jé
洁 jie je
江 jiang jan jang
姜 jiang jan
金 jin jin jén
津 jin jin
晶 jing jing
精 jing jing
居 ju ju jü
君 jun jun jün
俊 jun jun
朱 zhu ju jü zhu
珠 zhu ju jü
卓 zhuo jo
恰 qia cha che
洽 qia cha
切 qie che ché
且 qie che ché
其 qi chi ch
奇 qi chi ch
齐 qi chi ch
琪 qi chi
乔 qiao cho chö
秋 qiu chu chü
曲 qu chu chü
琼 qiong chong
钦 qin chin
青 qing ching
察 cha cha che
查 cha cha che
昌 chang chang
车 che che ché
楚 chu chu
策 ce che chi
采 cai che ché
哈 ha xa ha gha xe
海 hai xe he xey hey ghe
汗 han xan han xen hen ghan
汉 han xan han
訇 hong xun
罕 han xan han
杭 hang xang
好 hao xo
浩 hao xo xaw
合 he x h xe he gh q
和 he xo xe x ho he gho
赫 he x h xe
黑 hei xé he
红 hong xong ghun
洪 hong xun ghun hun xon ghon
胡 hu xu hu xo ho ghu
乎 hu xu hu
呼 hu xu hu qu
虎 hu xu
华 hua xua xuwa
欢 huan xuan
黄 huang xuang
辉 hui xuy
惠 hui xuy
霍 huo xo qo ho
火 huo xo
豁 huo gho xo
夏 xia sha she
霞 xia sha
希 xi shi xi hi
西 xi shi sh si xi
锡 xi shi si
喜 xi shi
谢 xie she shé
协 xie she
仙 xian shen shan
先 xian shen she shan
贤 xian shen
香 xiang shang
肖 xiao sho shö
欣 xin shin xin
新 xin shin
兴 xing shing
许 xu shü shu
逊 xun sun sün shun
迅 xun sun
拉 la la ra le re
来 lai le lé re ley
莱 lai le ley
兰 lan lan len ran
蓝 lan lan
朗 lang lang
劳 lao lo law
勒 le l le li lé
楞 leng len lin leng
雷 lei léy le
里 li li l ri lé
力 li l li lé le
丽 li li l le
立 li li
利 li li l
莉 li li
连 lian len lén
莲 lian len
列 lie lé le
林 lin lin rin len
琳 lin lin
玲 ling ling lin
龙 long long lung
隆 long long
卢 lu lu
鲁 lu lu lü ru rü
路 lu lu
吕 lü lü
罗 luo lo ro
洛 luo lo lu ro
伦 lun lun
轮 lun lun
热 re re ré ri ra
日 ri ri r ré
然 ran ran ren
仁 ren ren rin ré
荣 rong rong
肉 rou ro rö ru
如 ru ru rü ro
瑞 rui ruy
尔 er r er
儿 er r
耳 er r
扎 zha za ze zha
札 zha za
再 zai ze zey
赞 zan zan zen
泽 ze ze zé z
则 ze ze zi z zé
孜 zi z zi ze
兹 zi z zi
子 zi z zi
宗 zong zong
祖 zu zu zü zo zö
佐 zuo zo zö
左 zuo zo zö
萨 sa sa se
沙 sha sa sha se
莎 sha sha sa se
撒 sa sa
赛 sai se sey say sé
塞 sai se sey
三 san san
桑 sang sang
森 sen sin sen
生 sheng sin sen sheng
苏 su su sü so
素 su sü su so
孙 sun sun
索 suo so
锁 suo so
斯 si s si se
司 si s si
思 si s si
丝 si s si
松 song song sung
什 shi/shen sh shi
舒 shu shu shü
顺 shun shun
硕 shuo sho shu
守 shou shu sho
善 shan shan shen
山 shan sen san shan shen
尚 shang shang
少 shao sho
舍 she she shé
申 shen shen
诗 shi shi
师 shi shi
石 shi shi
士 shi shi
尕 ga gha ga ghe
噶 ga gha ga
嘎 ga ga gha
盖 gai ge ghe gey
干 gan gan ghan gen
高 gao gho go
戈 ge gé ghe
格 ge g ge gé gh
根 gen gen gin
古 gu gü gu ghu gh qu
谷 gu gu
瓜 gua gua
光 guang guang
郭 guo gho go ghu
国 guo go
果 guo go gö
衮 gun gun
卡 ka qa ka qe ke
喀 ka qa ka qe ke
开 kai qe ke qey key ké
凯 kai ke qe
坎 kan qan kan qen ken
康 kang kang qang
柯 ke qi ke qe ki
科 ke ko ke qe
可 ke ko k kö ke qo
克 ke k q ki qi ke qe qa ka
肯 ken ken kin qen kén
库 ku qu ku kü kö qo
奎 kui küy kuy
坤 kun qun kun
昆 kun kun qun
阔 kuo qo ko kö
马 ma ma me
玛 ma ma me
买 mai me ma mé mey may
麦 mai me mey ma mé
迈 mai me may ma
曼 man man men
满 man man men
梅 mei mey mé me
美 mei mey me
门 men men min
蒙 meng mong möng
米 mi mi m mé
密 mi mi
蜜 mi mi
敏 min min
明 ming min ming mén
莫 mo mo mö mu
默 mo mo me m
墨 mo mo
木 mu m mu mo mü mö
穆 mu mu mü m
姆 mu m mu
纳 na na ne
娜 na na ne
那 na na
乃 nai ne né ney
奈 nai ne nay
南 nan nan nen
尼 ni ni n né
妮 ni ni
年 nian nen
宁 ning ning nin
努 nu nu nü no nö
农 nong nun nung non
诺 nuo no nö
瓦 wa wa we
娃 wa wa
宛 wan wan wen
湾 wan wan wen
万 wan wan
外 wai we wé way wey
威 wei wé wi wey we
维 wei wi wé wey
文 wen wen win
沃 wo wo wö
亚 ya ya ye yé
雅 ya ya
娅 ya ya
牙 ya ya
叶 ye ye yé
耶 ye ye yé
也 ye ye yé
约 yue yo
岳 yue yo
燕 yan yen yan
艳 yan yen
延 yan yan
焉 yan yen yan
阳 yang yang
云 yun yun yün
音 yin yin in yim im him
"""
"""One line per character: character, pinyin, ULY readings (most usual first)."""


# Pinyin syllables (ü written v), from pypinyin's dictionary, interjections left out. Used to
# tell whether a Latin token is a pinyin spelling (Zhang, Maimaiti, Tuerxun).
PINYIN_SYLLABLES = frozenset(_words("""
a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can
cang cao ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai
chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den
deng di dia dian diao die ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang
fei fen feng fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui
gun guo ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia
jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong
kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei leng li lia lian liang liao
lie lin ling liu lo long lou lu luan lue lun luo lv lve ma mai man mang mao me mei men meng mi
mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng ni nian niang niao nie
nin ning niu nong nou nu nuan nue nuo nv nve o ou pa pai pan pang pao pei pen peng pi pian piao
pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang
rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha shai
shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si song
sou su suan sui sun suo ta tai tan tang tao te teng ti tian tiao tie ting tong tou tu tuan tui
tun tuo wa wai wan wang wei wen weng wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan
xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai zan zang zao ze zei
zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan
zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo
"""))
