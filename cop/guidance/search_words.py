"""The words people type for the library's types, audiences and age bands, per language.

The labels shown on the pages ("Training material", "培训材料", "Учебный материал") are indexed
with each resource in every language; these lists add the other words a teacher, a parent or a
policy maker types for the same thing ("教材", "тренинг", "curso", "لأولياء الأمور"). They are
search vocabulary, never shown, so they live here as data and not in the translation catalogue.
Words are stemmed like the texts (cop/guidance/search.py), so one form of a word is enough; Chinese
words are whole words, indexed as character pairs.

Also here: the function words dropped from a query on both databases (PostgreSQL drops its own
as well), so that "материалы для учителей" asks for materials and teachers, not for "для".
"""

from __future__ import annotations

# {language: {(facet, code): words}}; facet is "type", "audience" or "age".
WORDS: dict[str, dict[tuple[str, str], str]] = {
    "en": {
        ("type", "best-practice"): "good practice example examples case study lessons learned model",
        ("type", "campaign"): "campaign awareness raising poster posters video public information",
        ("type", "training"): (
            "training course courses lesson lessons teaching material materials curriculum workshop "
            "toolkit module e-learning educational resources classroom activities"
        ),
        ("type", "tool"): "tool tools app application software helpline service platform checker",
        ("type", "research"): "research study studies survey report data evidence statistics findings",
        ("type", "strategy"): "strategy policy policies national plan law legislation framework regulation",
        ("audience", "children"): "children child kids young people youth teenagers pupils students minors",
        ("audience", "parents"): "parents parent family families mother father carers guardians home",
        ("audience", "educators"): "educators teachers teacher school schools classroom trainers staff",
        ("audience", "industry"): "industry companies business providers operators platforms sector",
        ("audience", "policy"): "policy makers policymakers government governments ministry regulators",
        ("age", "5-7"): "children child kids young 5 6 7 years old infants early primary",
        ("age", "8-12"): "children child kids 8 9 10 11 12 years old primary preteens",
        (
            "age",
            "13-17",
        ): "children teenagers teens adolescents young people 13 14 15 16 17 years old secondary",
    },
    "fr": {
        ("type", "best-practice"): "bonnes pratiques exemple exemples étude de cas modèle",
        ("type", "campaign"): "campagne campagnes sensibilisation affiche vidéo prévention information",
        ("type", "training"): (
            "formation formations cours leçon leçons support supports matériel pédagogique ressources "
            "pédagogiques enseignement atelier module programme kit"
        ),
        ("type", "tool"): "outil outils application logiciel service plateforme ligne d'écoute",
        ("type", "research"): "recherche étude études enquête rapport données statistiques",
        (
            "type",
            "strategy",
        ): "stratégie politique politiques plan national loi législation cadre réglementation",
        ("audience", "children"): "enfants enfant jeunes jeunesse adolescents élèves mineurs",
        ("audience", "parents"): "parents parent famille familles mère père tuteurs maison",
        (
            "audience",
            "educators",
        ): "éducateurs enseignants enseignant professeurs professeur école écoles classe",
        (
            "audience",
            "industry",
        ): "industrie entreprises entreprise opérateurs fournisseurs plateformes secteur",
        (
            "audience",
            "policy",
        ): "décideurs gouvernement ministère régulateurs pouvoirs publics politiques publiques",
        ("age", "5-7"): "enfants enfant petits 5 6 7 ans maternelle primaire",
        ("age", "8-12"): "enfants enfant 8 9 10 11 12 ans primaire collège préadolescents",
        ("age", "13-17"): "enfants adolescents ados jeunes 13 14 15 16 17 ans collège lycée",
    },
    "es": {
        ("type", "best-practice"): "buenas prácticas ejemplo ejemplos estudio de caso modelo",
        ("type", "campaign"): "campaña campañas concienciación sensibilización cartel vídeo prevención",
        ("type", "training"): (
            "formación capacitación curso cursos lección lecciones material materiales didáctico "
            "didácticos educativo educativos enseñanza taller talleres módulo guía docente"
        ),
        ("type", "tool"): "herramienta herramientas aplicación programa servicio plataforma línea de ayuda",
        ("type", "research"): "investigación estudio estudios encuesta informe datos estadísticas",
        ("type", "strategy"): "estrategia política políticas plan nacional ley legislación marco regulación",
        ("audience", "children"): "niños niñas niño niña infancia jóvenes adolescentes alumnos menores",
        ("audience", "parents"): "padres madres familia familias tutores hogar",
        (
            "audience",
            "educators",
        ): "educadores docentes docente maestros maestro profesores profesor escuela escuelas",
        ("audience", "industry"): "industria empresas empresa operadores proveedores plataformas sector",
        ("audience", "policy"): "responsables políticas gobierno ministerio reguladores autoridades",
        ("age", "5-7"): "niños niñas niño pequeños 5 6 7 años infantil primaria",
        ("age", "8-12"): "niños niñas niño 8 9 10 11 12 años primaria preadolescentes",
        ("age", "13-17"): "niños adolescentes jóvenes 13 14 15 16 17 años secundaria",
    },
    "ru": {
        ("type", "best-practice"): "передовой опыт лучшие практики практика пример примеры",
        ("type", "campaign"): "кампания кампании информирование плакат ролик профилактика",
        ("type", "training"): (
            "учебный учебные материал материалы обучение тренинг тренинги курс курсы урок уроки "
            "пособие методичка методические занятия семинар программа"
        ),
        ("type", "tool"): "инструмент инструменты приложение программа сервис служба платформа",
        ("type", "research"): "исследование исследования опрос доклад отчёт данные статистика",
        ("type", "strategy"): "стратегия политика национальный план закон законодательство регулирование",
        ("audience", "children"): "дети ребёнок ребенок детский молодёжь молодежь подростки школьники",
        ("audience", "parents"): "родители родитель семья семьи мама папа опекуны",
        ("audience", "educators"): "педагоги педагог учитель учителя преподаватель воспитатель школа школы",
        ("audience", "industry"): "отрасль компании бизнес операторы провайдеры платформы",
        ("audience", "policy"): "политика правительство министерство регуляторы власти",
        ("age", "5-7"): "дети ребёнок ребенок малыши дошкольники 5 6 7 лет",
        ("age", "8-12"): "дети ребёнок ребенок школьники младшие 8 9 10 11 12 лет",
        ("age", "13-17"): "дети подростки подросток старшеклассники 13 14 15 16 17 лет",
    },
    "ar": {
        ("type", "best-practice"): "ممارسات فضلى جيدة مثال أمثلة نموذج تجربة",
        ("type", "campaign"): "حملة حملات توعية توعوية ملصق فيديو وقاية",
        ("type", "training"): (
            "مواد تدريبية تدريب تدريبي دورة دورات درس دروس مواد تعليمية تعليمي منهج ورشة دليل تعليم"
        ),
        ("type", "tool"): "أداة أدوات تطبيق برنامج خدمة منصة خط مساعدة",
        ("type", "research"): "بحث بحوث أبحاث دراسة دراسات استطلاع تقرير بيانات إحصاءات",
        ("type", "strategy"): "استراتيجية سياسة سياسات خطة وطنية قانون تشريع إطار تنظيم",
        ("audience", "children"): "الأطفال أطفال طفل الشباب المراهقين التلاميذ الطلاب القاصرين",
        ("audience", "parents"): "الآباء الأهل الأسرة الأسر الأمهات أولياء الأمور الوالدين",
        ("audience", "educators"): "المربون المعلمين المعلمون معلم المدرسين مدرس المدرسة المدارس",
        ("audience", "industry"): "الصناعة الشركات شركات المشغلين مقدمي الخدمات المنصات",
        ("audience", "policy"): "صانعو السياسات الحكومة الوزارة الهيئات التنظيمية",
        ("age", "5-7"): "الأطفال أطفال طفل الصغار 5 6 7 سنوات",
        ("age", "8-12"): "الأطفال أطفال طفل 8 9 10 11 12 سنة سنوات",
        ("age", "13-17"): "الأطفال المراهقين مراهقين الشباب 13 14 15 16 17 سنة",
    },
    "zh-hans": {
        ("type", "best-practice"): "最佳做法 最佳实践 良好做法 案例 经验 范例",
        ("type", "campaign"): "宣传活动 宣传 运动 海报 视频 倡导 意识",
        ("type", "training"): "培训材料 培训 教材 教学材料 教学 课程 课件 讲义 教案 学习材料 培训课程",
        ("type", "tool"): "工具 应用 软件 服务 平台 热线",
        ("type", "research"): "研究 调查 报告 数据 统计 研究报告",
        ("type", "strategy"): "国家战略 战略 政策 规划 法律 法规 框架",
        ("audience", "children"): "儿童 孩子 青少年 未成年人 学生 小孩",
        ("audience", "parents"): "家长 父母 监护人 家庭 爸爸 妈妈",
        ("audience", "educators"): "教育工作者 老师 教师 学校 教育者 课堂",
        ("audience", "industry"): "行业 企业 公司 运营商 平台",
        ("audience", "policy"): "政策制定者 政府 决策者 监管机构 部门",
        ("age", "5-7"): "儿童 孩子 小孩 幼儿 5岁 6岁 7岁",
        ("age", "8-12"): "儿童 孩子 小学生 8岁 9岁 10岁 11岁 12岁",
        ("age", "13-17"): "儿童 孩子 青少年 中学生 13岁 14岁 15岁 16岁 17岁",
    },
}

# Words that carry no meaning of their own in a query; compared after lower-casing. In the library
# everything is a resource, so "resources" is one of them.
STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "a an and the of for to in on at with about my our your is are how what which some any "
        "by from or resource resources".split()
    ),
    "fr": frozenset(
        "le la les l un une des de du d et pour à au aux en sur avec dans mon ma mes nos notre "
        "pour comment que qui quel quelle sur par ou ressource ressources".split()
    ),
    "es": frozenset(
        "el la los las un una unos unas de del y para a al en con sobre mi mis nuestro nuestros "
        "por cómo como que qué o u e recurso recursos".split()
    ),
    "ru": frozenset(
        "и в во на для о об по с со к у из от как что мой моя мои наш наши или "
        "ресурс ресурсы ресурсов".split()
    ),
    "ar": frozenset("في من على عن إلى الى و مع ما كيف هذا هذه أو لل موارد".split()),
}

# Chinese has no spaces: these particles and phrases split a query into words.
CHINESE_BREAKS = [
    "关于",
    "有关",
    "怎么",
    "如何",
    "什么",
    "一些",
    "我们",
    "适合",
    "针对",
    "面向",
    "用于",
    "需要",
    "寻找",
    "查找",
    "资源",
    "的",
    "给",
    "和",
    "与",
    "及",
    "或",
    "吗",
    "呢",
]
