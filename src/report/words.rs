//! The report's words in English and Chinese — the fixed ones in
//! [`Words`] ([`EN`], [`ZH`]), sentences with numbers in them as functions
//! of [`Lang`] — and numbers formatted for people: thousands separators and
//! the scenario's currency in English, 万 (10⁴) and 亿 (10⁸) in Chinese.

use crate::present::text;

/// The report's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// The report's fixed words in this language.
    pub fn words(self) -> &'static Words {
        match self {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }

    /// `en` or `zh`: picks the text for this language.
    pub(crate) fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

/// `text` with its first letter upper-case, to start a sentence with words
/// such as [`input_name`]'s ("the price" → "The price").
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// The names a plan gives its segments and team roles, in the report's
/// language (`name_zh`, `role_zh` in Chinese, else the name), for
/// [`input_name_in`] and [`metric_words_in`].
#[derive(Debug, Default)]
pub struct PlanNames {
    /// (name in the file, name shown).
    pub segments: Vec<(String, String)>,
    /// Each `[[team]]` role shown, in the file's order.
    pub roles: Vec<String>,
}

impl PlanNames {
    /// The names `sc` gives its segments and roles, in `lang`.
    pub fn of(sc: &crate::scenario::Scenario, lang: Lang) -> PlanNames {
        PlanNames {
            segments: sc.segments.iter().map(|s| (s.name.clone(), in_lang(lang, &s.name, s.name_zh.as_deref()).to_string())).collect(),
            roles: sc.team.iter().map(|r| in_lang(lang, &r.role, r.role_zh.as_deref()).to_string()).collect(),
        }
    }

    /// A segment's name as shown (the name itself when unknown).
    pub(crate) fn segment<'a>(&'a self, name: &'a str) -> &'a str {
        self.segments.iter().find(|(n, _)| n == name).map_or(name, |(_, shown)| shown)
    }
}

/// A name in `lang`: its Chinese form (`name_zh`, `role_zh`) in Chinese
/// when the file gives one, else the name itself.
pub fn in_lang<'a>(lang: Lang, name: &'a str, zh: Option<&'a str>) -> &'a str {
    match (lang, zh) {
        (Lang::Zh, Some(zh)) => zh,
        _ => name,
    }
}

/// An input's words alone, without its path (`pro: monthly churn`, not
/// `pro: monthly churn (segment.pro.churn)`): for a chart's labels.
pub fn input_words_in(path: &str, lang: Lang, names: &PlanNames) -> String {
    let name = input_name_in(path, lang, names);
    name.strip_suffix(&format!(" ({path})")).map_or(name.clone(), str::to_string)
}

/// An axis title for money with its currency: "Cash (USD)", "现金（美元）";
/// the name alone when the plan names no currency.
pub fn money_title(lang: Lang, name: &str, currency: Option<&str>) -> String {
    let Some(code) = currency else { return name.to_string() };
    match lang {
        Lang::En => format!("{name} ({code})"),
        Lang::Zh => {
            let zh = match code {
                "USD" => "美元",
                "CNY" | "RMB" => "元",
                "EUR" => "欧元",
                "GBP" => "英镑",
                "JPY" => "日元",
                other => other,
            };
            format!("{name}（{zh}）")
        }
    }
}

/// An input's dotted path in words, e.g. `funding.0.amount` → "the amount
/// of funding round 1"; paths it does not know are returned as they are.
pub fn input_name(path: &str, lang: Lang) -> String {
    input_name_in(path, lang, &PlanNames::default())
}

/// A segment's or role's input in words, by its key: "monthly churn" for
/// `segment.pro.churn`, "headcount" for `team.0.count`.
fn plan_input_words(parts: &[&str], lang: Lang, names: &PlanNames) -> Option<String> {
    const SEGMENT: &[(&str, &str, &str)] = &[
        ("customers", "starting customers", "初始客户数"),
        ("customers_annual", "starting annual customers", "初始年付客户数"),
        ("price", "the price", "价格"),
        ("churn", "monthly churn", "月流失率"),
        ("new", "new customers a month", "月新增客户"),
        ("growth", "growth of new customers", "新增客户增长率"),
        ("expansion", "monthly expansion", "月扩张率"),
        ("annual_share", "the share prepaying a year", "年付比例"),
        ("annual_discount", "the annual prepay discount", "年付折扣"),
        ("usage", "usage per customer", "单客户用量"),
        ("included", "included usage", "套餐内含用量"),
    ];
    const TEAM: &[(&str, &str, &str)] =
        &[("count", "headcount", "人数"), ("salary", "salary", "薪资"), ("raise", "yearly raise", "年度调薪"), ("hire_cost", "cost per hire", "单人招聘成本")];
    let find = |table: &[(&str, &'static str, &'static str)], key: &str| table.iter().find(|k| k.0 == key).map(|k| lang.pick(k.1, k.2));
    let (owner, what) = match parts {
        ["segment", name, key] => (names.segment(name).to_string(), find(SEGMENT, key)?),
        ["team", i, key] => (names.roles.get(i.parse::<usize>().ok()?)?.clone(), find(TEAM, key)?),
        _ => return None,
    };
    Some(match lang {
        Lang::En => format!("{owner}: {what}"),
        Lang::Zh => format!("{owner}{what}"),
    })
}

/// [`input_name`] with the plan's own names for its segments and roles:
/// `segment.pro.churn` → "pro: monthly churn" ("专业版月流失率").
pub fn input_name_in(path: &str, lang: Lang, names: &PlanNames) -> String {
    // A schedule's later step, `costs.fixed@25`: the input's words and its month.
    if let Some((base, month)) = path.split_once('@') {
        let words = input_name_in(base, lang, names);
        let words = words.strip_suffix(&format!(" ({base})")).unwrap_or(&words);
        return match lang {
            Lang::En => format!("{words} from month {month} ({path})"),
            Lang::Zh => format!("第 {month} 个月起的{words} ({path})"),
        };
    }
    let parts: Vec<&str> = path.split('.').collect();
    let nth = |i: &str| i.parse::<usize>().map_or(i.to_string(), |n| (n + 1).to_string());
    if let Some(named) = plan_input_words(&parts, lang, names) {
        return format!("{named} ({path})");
    }
    let named = match (parts.as_slice(), lang) {
        (["funding", i, "month"], Lang::En) => format!("the month of funding round {}", nth(i)),
        (["funding", i, "month"], Lang::Zh) => format!("第 {} 轮融资的月份", nth(i)),
        (["costs", "one_off", i, "month"], Lang::En) => format!("the month of one-off cost {}", nth(i)),
        (["costs", "one_off", i, "month"], Lang::Zh) => format!("第 {} 笔一次性支出的月份", nth(i)),
        (["funding", i, "amount"], Lang::En) => format!("the amount of funding round {}", nth(i)),
        (["funding", i, "amount"], Lang::Zh) => format!("第 {} 轮融资金额", nth(i)),
        (["costs", "one_off", i, "amount"], Lang::En) => format!("one-off cost {}", nth(i)),
        (["costs", "one_off", i, "amount"], Lang::Zh) => format!("第 {} 笔一次性支出", nth(i)),
        _ => {
            let known: &[(&str, &str, &str)] = &[
                ("start.customers", "starting customers", "初始客户数"),
                ("start.cash", "starting cash", "初始现金"),
                ("pricing.price", "the price", "价格"),
                ("pricing.annual_increase", "the yearly price increase", "年度提价幅度"),
                ("acquisition.new", "organic new customers", "自然新增客户"),
                ("acquisition.growth", "growth of organic new customers", "自然新增客户增长率"),
                ("acquisition.referral", "referrals", "推荐率"),
                ("acquisition.marketing.spend", "marketing spend", "营销支出"),
                ("acquisition.marketing.spend_growth", "growth of marketing spend", "营销支出增长率"),
                ("acquisition.marketing.cac", "the cost per paid customer", "付费获客成本"),
                ("churn.base", "monthly churn", "月流失率"),
                ("accuracy.report", "model accuracy", "模型准确率"),
                ("accuracy.confusion", "model accuracy", "模型准确率"),
                ("accuracy.measured", "model accuracy", "模型准确率"),
                ("accuracy.value", "model accuracy", "模型准确率"),
                ("accuracy.drift", "accuracy drift", "准确率漂移"),
                ("accuracy.link.elasticity", "how much churn moves with accuracy (elasticity)", "流失率随准确率变化的弹性"),
                ("accuracy.link.steepness", "how steeply churn moves with accuracy", "流失率随准确率变化的陡度"),
                ("accuracy.retrain.cost", "the cost of retraining", "重新训练成本"),
                ("costs.fixed", "fixed costs", "固定成本"),
                ("costs.fixed_growth", "growth of fixed costs", "固定成本增长率"),
                ("costs.per_customer", "cost per customer", "单客户成本"),
                ("costs.revenue_share", "the revenue share paid out", "收入分成比例"),
                ("usage.cost", "the cost per block of usage", "每单位用量成本"),
                ("usage.overage_price", "the overage price per block", "超额用量单价"),
            ];
            match known.iter().find(|(p, _, _)| *p == path) {
                Some((_, en, zh)) => lang.pick(en, zh).to_string(),
                None => return path.to_string(),
            }
        }
    };
    format!("{named} ({path})")
}

/// Declares [`Words`], one `&'static str` field per phrase, and fills it
/// twice, [`EN`] and [`ZH`], from lines `name: "English", "中文";` that keep
/// each phrase beside its translation. A phrase missing in one language is a
/// compile error.
macro_rules! words {
    ($($(#[$doc:meta])* $name:ident: $en:expr, $zh:expr;)*) => {
        /// The report's fixed words: headings, chart titles and
        /// descriptions, axis titles, legends, column headers and row labels.
        /// [`Lang::words`] gives them in one language.
        pub struct Words {
            $($(#[$doc])* pub $name: &'static str,)*
        }

        /// The report's words in English.
        pub const EN: Words = Words { $($name: $en,)* };

        /// The report's words in Chinese.
        pub const ZH: Words = Words { $($name: $zh,)* };
    };
}

words! {
    // The page
    /// The title after the scenario's name.
    risk_report: "risk report", "风险报告";
    /// Heading of the findings.
    findings: "Findings", "主要结论";
    /// The label over a chart's numbers, collapsed.
    data: "Data", "数据";
    /// Heading of the reproduction steps.
    reproduce: "How to reproduce this report", "如何复现本报告";
    /// The footnote under the page: what ± means, and that the file is reproducible.
    footer: "± is one Monte Carlo standard error. Every figure comes from the simulation above; rerunning the command gives the same file.", "± 为一个蒙特卡洛标准误。所有数字均来自上述模拟；重新运行该命令会得到完全相同的文件。";
    // Key figures
    /// Heading of the key figures.
    key_heading: "Key figures", "关键数字";
    /// What "run out of cash" means.
    key_intro: "\u{201c}Run out of cash\u{201d}: cash below zero at the end of a month.", "“耗尽现金”：某月末现金低于零。";
    /// Column header: the figure a row shows (capitalised).
    figure_header: "Figure", "指标";
    /// Column header: a value with its standard error.
    value_se: "Value ± SE", "数值 ± 标准误";
    /// Key figure: the p10 of final cash.
    final_cash_p10: "Final cash, p10", "期末现金 P10";
    /// Key figure: median final cash.
    final_cash_median: "Final cash, median", "期末现金中位数";
    /// Key figure: the p90 of final cash.
    final_cash_p90: "Final cash, p90", "期末现金 P90";
    /// Key figure: median final ARR.
    final_arr_median: "Final ARR, median", "期末 ARR 中位数";
    /// Key figure: median final customers.
    final_customers_median: "Final customers, median", "期末客户数中位数";
    /// Key figure: the median breakeven month.
    breakeven_month: "Breakeven month (stays in profit from then on), median", "盈亏平衡月份（此后累计保持盈利）中位数";
    /// The heading of `[scenario] notes`.
    notes_heading: "Assumptions and notes", "假设与说明";
    /// Key figure: the month by which 1 future in 10 has run out of cash.
    runway_p10: "Months of runway: the month cash runs out by in the worst 1 future in 10", "现金跑道：最差 10% 的模拟情景耗尽现金的月份";
    /// Key figure: the median month cash runs out.
    runway_median: "Months of runway: the month cash runs out by in half the futures (median)", "现金跑道：半数模拟情景耗尽现金的月份";
    /// A month that did not come within the horizon: cash lasted.
    lasts_the_horizon: "never within the plan's months", "计划期内不会耗尽";
    /// A month that did not come within the horizon.
    not_within_horizon: "not within the horizon", "期内未实现";
    /// Key figure: the median first profitable month.
    first_profit_month: "First profitable month, median", "首个盈利月份中位数";
    /// Key figure: the share of futures that break even.
    p_breakeven: "P(breakeven within the horizon)", "期内实现盈亏平衡的概率";
    /// Key figure: the mean funding need.
    funding_need: "Funding need (how far cash falls below zero at its lowest), mean", "资金缺口（现金最低点低于零的部分）均值";
    // The plan on its averages
    /// Heading of the plan on its averages.
    averages_heading: "The plan on its averages, beside the distribution", "按平均值计算的计划与模拟分布";
    /// What the plan on its averages is.
    averages_intro: "A spreadsheet plan puts every input at its expected value: one path, here each input at the mean of its draws, each funding round paid at its probability × its mean amount, customers as expected values. The dashed line on the cash chart is that path.", "电子表格式的计划把每个输入都取期望值，只得到一条路径：此处每个输入取其抽样均值，每轮融资按“概率 × 平均金额”计入，客户数取期望值。现金图中的虚线即为这条路径。";
    /// Column header: the plan on its averages (capitalised).
    plan_on_averages_header: "Plan on averages", "平均值计划";
    /// Column header: the simulated futures' median or share.
    simulated_futures: "Simulated futures (median, or share)", "模拟情景（中位数或占比）";
    /// Row: cash at the end of the horizon.
    final_cash_row: "Final cash", "期末现金";
    /// Row: the month cash first goes below zero.
    runs_out: "Runs out of cash", "耗尽现金";
    /// The plan on its averages never runs out of cash.
    never: "never", "从不";
    /// After a share: of the simulated futures.
    of_futures: "of futures", "的情景";
    // Fan charts
    /// Heading and axis title of the cash fan chart.
    cash: "Cash", "现金";
    /// Heading and axis title of the customers fan chart.
    customers: "Customers", "客户数";
    /// Heading and axis title of the MRR fan chart.
    mrr: "Monthly recurring revenue (MRR)", "月度经常性收入（MRR）";
    /// After a fan chart's name, its title.
    fan_title: ": fan chart by month", "：逐月扇形图";
    /// What a fan chart shows.
    fan_desc: "Shaded bands: the middle 90% and 50% of simulated futures; dark line: the median.", "阴影带：模拟情景的中间 90% 与 50%；深色线：中位数。";
    /// Axis title and column header: the month.
    month: "month", "月份";
    /// Marker of a funding round, before its probability.
    round: "round", "融资";
    /// Legend: the band of the middle 90%.
    p5_p95: "p5–p95", "P5–P95";
    /// Legend: the band of the middle 50%.
    p25_p75: "p25–p75", "P25–P75";
    /// Legend, marker and column header: the median.
    median: "median", "中位数";
    /// Legend: the plan on its averages.
    plan_on_averages_legend: "plan on its averages", "平均值计划";
    /// Column header: the 5th percentile.
    p5: "p5", "p5";
    /// Column header: the 25th percentile.
    p25: "p25", "p25";
    /// Column header: the 75th percentile.
    p75: "p75", "p75";
    /// Column header: the 95th percentile.
    p95: "p95", "p95";
    /// Column header: the plan on its averages.
    plan_on_averages: "plan on averages", "平均值计划";
    // Survival
    /// Title of the survival curve.
    survival_title: "Survival: P(not yet out of cash) by month", "存活曲线：截至各月仍未耗尽现金的概率";
    /// What the survival curve shows.
    survival_desc: "The share of simulated futures whose cash has stayed at or above zero through each month (the axis does not start at 0).", "截至每个月，现金始终不低于零的模拟情景所占比例（纵轴不从 0 开始）。";
    /// Axis title of the survival curve.
    share_with_cash: "share of futures with cash", "仍有现金的情景占比";
    /// Column header: the share not yet out of cash.
    not_yet_out: "not yet out of cash", "仍未耗尽现金";
    /// Column header: a standard error.
    se: "SE", "SE";
    // Final cash
    /// Title of the final-cash histogram.
    final_cash_title: "Distribution of final cash", "期末现金分布";
    /// What the final-cash histogram shows.
    final_cash_desc: "Share of simulated futures by final cash (1st to 99th percentile); hatched bars: below zero.", "按期末现金划分的模拟情景占比（第 1 至第 99 百分位）；斜线填充：低于零。";
    /// Axis title: final cash.
    final_cash_axis: "final cash", "期末现金";
    /// Axis title: the share of simulated futures.
    share_of_futures: "share of futures", "情景占比";
    /// Legend: the share of futures ending below zero, before it.
    cash_below_zero: "cash < 0:", "现金 < 0：";
    /// Before the share of futures ending below zero.
    p_final_cash_below: "P(final cash below 0): ", "期末现金为负的概率：";
    /// Column header: a bin's left edge.
    from: "from", "自";
    /// Column header: a bin's right edge.
    to: "to", "至";
    /// Column header: a bin's share of futures.
    share: "share", "占比";
    // Tornado
    /// Title of the tornado.
    tornado_title: "What drives median final cash (tornado)", "期末现金中位数的驱动因素（龙卷风图）";
    /// What the tornado shows.
    tornado_desc: "Each input held at its own p10 (light) and p90 (dark), every other input random, on the same simulated futures.", "每个输入分别固定在其 P10（浅色）与 P90（深色），其余输入保持随机，使用相同的模拟情景。";
    /// Axis title of the tornado.
    median_final_cash: "median final cash", "期末现金中位数";
    /// Legend: the bar of an input at its p10.
    input_at_p10: "input at its p10", "输入取 P10";
    /// Legend: the bar of an input at its p90.
    input_at_p90: "input at its p90", "输入取 P90";
    /// Column header: an input.
    input: "input", "输入";
    /// Column header: an input's p10 and p90.
    p10_to_p90: "p10 → p90", "P10 → P90";
    /// Column header: median final cash with the input at its p10.
    at_p10: "at p10", "取 P10 时";
    /// Column header: median final cash with the input at its p90.
    at_p90: "at p90", "取 P90 时";
    /// Column header: the difference between the two.
    swing: "swing", "变化幅度";
    /// Column header: the input's share of the variance.
    variance_share: "variance share", "方差占比";
    // Stress tests
    /// Heading of the stress tests.
    stresses_heading: "Stress tests", "压力测试";
    /// What the stress tests are.
    stresses_intro: "The plan's own [[stress]] scenarios, run on the same simulated futures as the plan (common random numbers): the difference is the stress's effect, with its paired error.", "计划文件中设定的压力情景，与原计划使用相同的模拟情景（共同随机数）：差值即该压力的影响，附配对标准误。";
    /// Column header: a stress's name.
    stress: "stress", "压力情景";
    final_cash_groups: "Final cash", "期末现金";
    final_arr_groups: "Final ARR", "期末 ARR";
    final_customers_groups: "The final customer count", "期末客户数";
    checks_heading: "The plan's own checks", "计划自带的检验";
    checks_intro: "Each of the plan's rules ([[assert]]), decided on these futures as runway check decides it: passed or failed when the figure is at least 2 standard errors from its threshold, otherwise undecided (runway check then adds runs).", "计划文件中设定的每条检验条件，按 runway check 的规则在这些模拟情景上判定：指标与阈值相差至少 2 个标准误时判为通过或未通过，否则为未定（runway check 会增加模拟次数再判定）。";
    check: "check", "检验";
    simulated_on: "on", "情景";
    target: "target", "目标";
    verdict: "verdict", "结论";
    passed: "passed", "通过";
    failed: "failed", "未通过";
    undecided: "undecided", "未定";
    /// Column header: the figure a row shows.
    figure: "figure", "指标";
    /// Column header: the plan as written.
    plan: "plan", "原计划";
    /// Column header: the plan under the stress.
    stressed: "stressed", "压力下";
    /// Column header: a paired difference.
    difference: "difference", "差值";
    // Model accuracy
    /// Heading of the accuracy panel.
    accuracy_heading: "Model accuracy and what it is worth", "模型准确率及其价值";
    /// Title of the accuracy histogram.
    accuracy_title: "Model accuracy across the simulated futures", "各模拟情景中的模型准确率";
    /// What the accuracy histogram shows.
    accuracy_desc: "Each simulated future draws the model's accuracy once, as the plan states it (from a measured classification report, its posterior).", "每个模拟情景按计划的设定抽取一次模型准确率（若来自实测分类报告，则为其后验分布）。";
    /// Axis title: model accuracy.
    model_accuracy: "model accuracy", "模型准确率";
    /// Marker of the reference accuracy.
    reference: "reference", "基准";
    /// Before the draws' 5th and 95th percentiles.
    range_5_95_label: "5–95% range:", "5%–95% 范围：";
    /// Before the reference accuracy.
    reference_accuracy: "reference accuracy", "基准准确率";
    /// Title of the churn-multiplier chart.
    churn_title: "Churn multiplier implied by accuracy", "准确率对应的流失率乘数";
    /// What the churn-multiplier chart shows.
    churn_desc: "Monthly churn is the base monthly churn × this multiplier at the run's accuracy; 1 at the reference accuracy.", "每月流失率 = 基础月流失率 × 该乘数（按该次模拟的准确率）；在基准准确率处为 1。";
    /// Axis title: the churn multiplier.
    churn_multiplier: "churn multiplier", "流失率乘数";
    /// Column header: an accuracy.
    accuracy: "accuracy", "准确率";
    /// Column header: the churn multiplier.
    multiplier: "multiplier", "乘数";
    /// Heading of the accuracy sweep.
    worth_heading: "What a point of accuracy is worth", "每个百分点准确率的价值";
    /// What the accuracy sweep is.
    worth_intro: "Every simulated future re-run with the model's accuracy set to each value (same futures otherwise); differences from the first value are paired.", "将每个模拟情景的模型准确率分别设为下列数值重新模拟（其余不变）；与第一个数值的差为配对差。";
    /// Before the change in median final cash per accuracy point.
    worth_per_point: "Per point of accuracy, median final cash:", "每个百分点准确率对应的期末现金中位数变化：";
    /// Column header: a figure's value.
    value: "value", "数值";
    // Inputs
    /// Heading of the inputs.
    inputs_heading: "Every input", "全部输入";
    /// What the inputs table shows.
    inputs_intro: "Each input as the plan states it, and its range from the 5th to the 95th percentile (of its distribution; for monthly inputs, of each run's average).", "计划中每个输入的设定，以及其第 5 至第 95 百分位的范围（取其分布；按月抽取的输入取每次模拟的平均值）。";
    /// Column header: an input as the plan states it.
    as_written: "as written", "设定";
    /// Column header: the draws' 5th to 95th percentile.
    range_5_95: "5–95% range", "5%–95% 范围";
    fan_groups: "Cash here parts into two groups of futures (see the findings): the median line runs between them and may jump from one group to the other, so read the bands, not the line.", "此处的现金分成两组情景（见主要结论）：中位数线位于两组之间，可能从一组跳到另一组，请看区间带而不是中位数线。";
    /// After an input's distribution, when drawn every month.
    monthly_draw: ", drawn afresh every month", "，每月重新抽取";
    // Unit economics
    /// Heading of the unit economics.
    unit_heading: "Unit economics", "单位经济效益";
    /// What the unit-economics table shows.
    unit_intro: "Medians over the simulated futures, with the conventions used.", "模拟情景的中位数及所用口径。";
    /// Column header: a median with its standard error.
    median_se: "median ± SE", "中位数 ± 标准误";
    /// Column header: how a figure is computed.
    convention: "convention", "口径";
    /// After a count of runs in which a figure has a value.
    runs_with_value: "runs with a value", "次模拟有值";
    /// Row: lifetime value.
    ltv: "LTV", "LTV";
    /// How LTV is computed.
    ltv_convention: "ARPA × gross margin ÷ average monthly churn", "ARPA × 毛利率 ÷ 平均月流失率";
    /// Row: paid CAC.
    paid_cac: "Paid CAC", "付费获客成本";
    /// How paid CAC is computed.
    paid_cac_convention: "marketing spend ÷ paid customers", "营销支出 ÷ 付费获得的客户";
    /// Row: blended CAC.
    blended_cac: "Blended CAC", "混合获客成本";
    /// How blended CAC is computed.
    blended_cac_convention: "marketing spend ÷ all new customers (organic and referred included)", "营销支出 ÷ 全部新客户（含自然增长与推荐）";
    /// Row: LTV over paid CAC.
    ltv_cac_paid: "LTV/CAC (paid)", "LTV/CAC（付费）";
    /// How LTV/CAC (paid) is computed.
    ltv_cac_paid_convention: "LTV ÷ paid CAC", "LTV ÷ 付费获客成本";
    /// Row: LTV over blended CAC.
    ltv_cac_blended: "LTV/CAC (blended)", "LTV/CAC（混合）";
    /// How LTV/CAC (blended) is computed.
    ltv_cac_blended_convention: "LTV ÷ blended CAC", "LTV ÷ 混合获客成本";
    /// Row: the payback period.
    payback: "Payback (months)", "回收期（月）";
    /// How the payback period is computed.
    payback_convention: "paid CAC ÷ (ARPA × gross margin)", "付费获客成本 ÷ (ARPA × 毛利率)";
    /// Heading of the accuracy's path with planned model changes.
    accuracy_path: "Model accuracy by month", "各月模型准确率";
    // A plan's sections
    /// Key figure: median net revenue retention.
    nrr_median: "Net revenue retention, last 12 months, median", "净收入留存率（近 12 个月）中位数";
    /// Key figure: median gross margin.
    gross_margin_median: "Gross margin, last 12 months, median", "毛利率（近 12 个月）中位数";
    /// Key figure: median burn multiple.
    burn_multiple_median: "Burn multiple, last 12 months, median", "烧钱倍数（近 12 个月）中位数";
    burn_multiple: "Burn multiple, last 12 months", "烧钱倍数（近 12 个月）";
    /// Heading of the segment table.
    // The backtest (runway report --history)
    /// Heading of the backtest section.
    backtest_heading: "Backtest against the company's history", "对照公司历史的回测";
    /// Title of the backtest's chart, after its metric.
    backtest_chart_title: " forecast from the start month against what happened", "：自起始月的预测与实际";
    /// Description of the backtest's chart.
    backtest_chart_desc: "Bands: 5–95% and 25–75% of the simulated futures from the start month; line: their median; dark line: the history's actual values.", "色带：自起始月的模拟情景的 5–95% 与 25–75% 区间；线：中位数；深色线：历史实际值。";
    /// Legend of the history's actual values.
    actual: "actual", "实际";
    /// The x axis of the backtest's chart.
    month_after_start: "Month after the start", "起始后的月份";
    /// Backtest table headers.
    backtest_metric: "Metric", "指标";
    inside_50: "Inside the 50% band", "落在 50% 区间内";
    inside_90: "Inside the 90% band", "落在 90% 区间内";
    mean_pit: "Mean PIT", "平均 PIT";
    mean_crps: "Mean CRPS", "平均 CRPS";
    verdict_header: "Verdict", "结论";
    /// The backtest's metrics.
    metric_new_customers: "New customers", "新增客户";
    metric_churn: "Churn (churned ÷ customers at the month's start)", "流失率（流失数 ÷ 月初客户数）";
    segments_heading: "Customer segments", "客户分层";
    /// What the segment table shows.
    segments_intro: "Each tier at the horizon: median over the simulated futures, p10–p90 in brackets; churn is the tier's monthly churn input as drawn.", "各层在期末的情况：模拟情景的中位数，括号内为 P10–P90；流失率为该层每月流失率输入的抽样值。";
    /// Column header: a segment's name.
    segment_header: "Segment", "分层";
    /// Column header: monthly churn.
    monthly_churn: "Monthly churn", "月流失率";
    /// Heading of the year-by-year table.
    years_heading: "Year by year", "逐年概览";
    /// What the year-by-year table shows.
    years_intro: "Flows are summed over each year, cash, customers and ARR are at its last month. For each figure: the plan on its averages, then the median of the simulated futures and their p10–p90 range. Net burn is costs minus cash collected (negative: cash comes in).", "流量按年加总，现金、客户数与 ARR 取该年最后一个月。每项先列平均值计划，再列模拟情景的中位数及其 P10–P90 区间。净烧钱 = 成本 − 回款（为负表示净流入）。";
    /// Column header: the row's figure in the year table.
    year_figure: "Figure", "指标";
    /// Row label suffix: on the plan's averages.
    on_averages: "plan on averages", "平均值计划";
    /// Row label suffixes: the simulated median, and its p10–p90 range.
    simulated_median: "median", "中位数";
    simulated_range: "p10–p90", "P10–P90";
    /// Year-table rows.
    revenue: "Revenue", "收入";
    gross_margin: "Gross margin", "毛利率";
    operating_costs: "Operating costs", "运营成本";
    net_burn: "Net burn", "净烧钱";
    ending_cash: "Ending cash", "期末现金";
    customers_row: "Customers", "客户数";
    arr: "ARR", "ARR";
    /// Heading of the MRR movements.
    movements_heading: "MRR movements by year", "各年 MRR 变动";
    /// What the MRR movements show.
    movements_intro: "Means over the simulated futures, which add up: MRR at the start + new + expansion − contraction − churned = MRR at the end.", "模拟情景的均值，可逐项相加：年初 MRR + 新增 + 扩张 − 收缩 − 流失 = 年末 MRR。";
    /// Column header: the year of a row.
    year: "Year", "年份";
    mrr_start: "MRR at start", "年初 MRR";
    new_mrr: "+ new", "+ 新增";
    expansion_mrr: "+ expansion", "+ 扩张";
    contraction_mrr: "− contraction", "− 收缩";
    churned_mrr: "− churned", "− 流失";
    mrr_end: "= MRR at end", "= 年末 MRR";
    // Reproduction
    /// Reproduction: the scenario.
    scenario: "scenario", "情景";
    /// The source of the built-in example scenario.
    builtin: "built-in example", "内置示例";
    /// Reproduction: the seed.
    seed: "seed", "随机种子";
    /// Reproduction: the number of runs.
    runs: "runs", "模拟次数";
    /// Reproduction: runway's version.
    version: "runway version", "runway 版本";
    /// After the version: the random stream's version.
    stream: "stream", "stream";
    /// Reproduction: the scenario file's hash.
    sha256: "scenario SHA-256", "情景文件 SHA-256";
}

// Sentences with numbers in them: the numbers come formatted (money, shares
// with their errors), the sentence around them in each language.

/// The subtitle: `runs` (formatted) simulated futures of `months` months,
/// and the seed.
pub fn subtitle(lang: Lang, runs: &str, months: u32, seed: u64) -> String {
    match lang {
        Lang::En => format!("{runs} simulated futures of {months} months · seed {seed}"),
        Lang::Zh => format!("{runs} 个模拟情景 · {months} 个月 · 随机种子 {seed}"),
    }
}

/// The backtest's first paragraph: where the plan started and how it is read.
pub(crate) fn backtest_intro(lang: Lang, from: &str, months: usize, refit: bool) -> String {
    match lang {
        Lang::En => {
            let refitted = if refit {
                format!(", with its churn (and acquisition, when the history splits paid customers) refitted from the months up to {from} only,")
            } else {
                ",".to_string()
            };
            format!(
                "The plan, started at {from}'s actual customers, cash and revenue per customer{refitted} simulated over the {months} months the history holds after it; each month's forecast is scored against what happened. A calibrated plan holds about 90% of the actuals inside its 90% bands and its PIT (the share of futures below the actual) spreads evenly over 0–1; the CRPS is the forecast's error in the metric's unit, lower is better. The plan's own months are read as months after the start."
            )
        }
        Lang::Zh => {
            let refitted = if refit {
                format!("，其流失率（以及历史区分付费获客时的获客）仅用截至 {from} 的月份重新拟合")
            } else {
                String::new()
            };
            format!(
                "以 {from} 的实际客户数、现金和客均收入为起点运行本计划{refitted}，模拟历史中其后的 {months} 个月，并逐月将预测与实际对照。校准良好的计划约有 90% 的实际值落在其 90% 区间内，PIT（低于实际值的情景占比）在 0–1 上均匀分布；CRPS 为预测误差（与指标同单位，越低越好）。计划中的月份按起始后的月份读取。"
            )
        }
    }
}

/// A backtest's verdict on one metric: `held` of `months` inside the 90%
/// band, and which way the actuals fell (`below`: under the 5% quantile)
/// with the share that did.
pub(crate) fn backtest_verdict(lang: Lang, verdict: crate::analysis::backtest::Verdict, held: usize, months: usize, below: bool, share: &str) -> String {
    use crate::analysis::backtest::Verdict;
    match (lang, verdict) {
        (Lang::En, Verdict::Held) => format!("held ({held} of {months} months inside the 90% band)"),
        (Lang::En, Verdict::TooNarrow) => format!("overconfident: {held} of {months} months inside the 90% band, missing on both sides"),
        (Lang::En, v) => {
            let word = if v == Verdict::Optimistic { "optimistic" } else { "pessimistic" };
            let side = if below { "below the 5%" } else { "above the 95%" };
            format!("{word}: {held} of {months} months inside the 90% band; {share} of actuals {side} quantile")
        }
        (Lang::Zh, Verdict::Held) => format!("成立（{months} 个月中 {held} 个月落在 90% 区间内）"),
        (Lang::Zh, Verdict::TooNarrow) => format!("过于自信：{months} 个月中 {held} 个月落在 90% 区间内，两侧均有偏离"),
        (Lang::Zh, v) => {
            let word = if v == Verdict::Optimistic { "偏乐观" } else { "偏保守" };
            let side = if below { "低于 5%" } else { "高于 95%" };
            format!("{word}：{months} 个月中 {held} 个月落在 90% 区间内；{share} 的实际值{side}分位数")
        }
    }
}

/// Finding: the lowest cash over the `months` that 9 futures in 10 stay
/// above (`amount`, money with its error), or, when every future is the
/// same (`same`), the lowest cash.
pub(crate) fn lowest_cash_finding(lang: Lang, months: u32, amount: &str, same: bool) -> String {
    let h = months;
    match (lang, same) {
        (Lang::En, false) => format!("In 9 of 10 simulated futures the lowest cash over the {h} months stays above {amount}."),
        (Lang::Zh, false) => format!("在 9/10 的模拟情景中，{h} 个月内的最低现金保持在 {amount} 以上。"),
        (Lang::En, true) => format!("Every simulated future is the same here: the lowest cash over the {h} months is {amount}."),
        (Lang::Zh, true) => format!("本计划的所有模拟情景完全相同：{h} 个月内的最低现金为 {amount}。"),
    }
}

/// Finding: the share `p` (with its error) of futures out of cash by month `months`.
pub(crate) fn runs_out_finding(lang: Lang, months: u32, p: &str) -> String {
    let h = months;
    match lang {
        Lang::En => format!("The company runs out of cash by month {h} in {p} of futures."),
        Lang::Zh => format!("到第 {h} 个月，公司在 {p} 的情景中耗尽现金。"),
    }
}

/// Finding: the plan on its averages (ending with `plan` cash, or out of
/// cash in `default_month`) against the median future (`median` final cash);
/// "the flaw of averages", with the share `p_default` of futures out of cash,
/// when `misleads`.
pub(crate) fn averages_finding(lang: Lang, default_month: Option<u32>, misleads: bool, plan: &str, median: &str, p_default: &str) -> String {
    let (plan_s, median_s) = (plan, median);
    match (lang, default_month, misleads) {
        (Lang::En, None, true) => format!(
            "On its averages the plan never runs out of cash and ends with {plan_s}; the median future ends with {median_s}, and {p_default} of futures run out of cash: the flaw of averages."
        ),
        (Lang::En, None, false) => {
            format!("On its averages the plan never runs out of cash and ends with {plan_s}; the median future ({median_s}) agrees with it within its error.")
        }
        (Lang::En, Some(m), _) => format!("On its averages the plan runs out of cash in month {m}; the median future ends with {median_s}."),
        (Lang::Zh, None, true) => format!(
            "按平均值计算，该计划从不耗尽现金，期末现金为 {plan_s}；而中位数情景的期末现金为 {median_s}，且有 {p_default} 的情景会耗尽现金——这就是“平均值陷阱”。"
        ),
        (Lang::Zh, None, false) => format!("按平均值计算，该计划从不耗尽现金，期末现金为 {plan_s}；中位数情景（{median_s}）在误差范围内与之一致。"),
        (Lang::Zh, Some(m), _) => format!("按平均值计算，该计划在第 {m} 个月耗尽现金；中位数情景的期末现金为 {median_s}。"),
    }
}

/// Finding: the input `name` that moves median final cash most, by `swing`
/// (money with its error) from its p10 to its p90, up when `rises`; named
/// with the runner-up `second` unless `alone`.
pub(crate) fn driver_finding(lang: Lang, name: &str, second: &str, swing: &str, rises: bool, alone: bool) -> String {
    match (lang, alone) {
        (Lang::En, true) => format!(
            "Of the uncertain inputs, {name} moves median final cash most: from its p10 to its p90 it {} by {swing}.",
            if rises { "rises" } else { "falls" }
        ),
        (Lang::En, false) => format!(
            "Of the uncertain inputs, {name} and {second} move median final cash most (within each other's error): from its p10 to its p90 the first {} it by {swing}.",
            if rises { "raises" } else { "lowers" }
        ),
        (Lang::Zh, true) => {
            format!("在不确定的输入中，{name} 对期末现金中位数影响最大：从其 P10 到 P90，期末现金中位数{} {swing}。", if rises { "增加" } else { "减少" })
        }
        (Lang::Zh, false) => format!(
            "在不确定的输入中，{name} 与 {second} 对期末现金中位数影响最大（差异在误差范围内）：前者从 P10 到 P90 使期末现金中位数{} {swing}。",
            if rises { "增加" } else { "减少" }
        ),
    }
}

/// Finding: the input `name` that moves median final cash most takes only
/// two values, `a` and `b` (a round that comes or not): median final cash
/// in each case (`at_a`, `at_b`, money with errors) and the `swing` between.
pub(crate) fn driver_two_values_finding(lang: Lang, name: &str, (a, b): (&str, &str), (at_a, at_b): (&str, &str), swing: &str) -> String {
    match lang {
        Lang::En => format!(
            "Of the uncertain inputs, {name} moves median final cash most. It takes one of two values: if it is {a}, median final cash is {at_a}; if it is {b}, {at_b} (a difference of {swing})."
        ),
        Lang::Zh => {
            format!("在不确定的输入中，{name} 对期末现金中位数影响最大。它只取两个值：为 {a} 时，期末现金中位数为 {at_a}；为 {b} 时为 {at_b}（相差 {swing}）。")
        }
    }
}

/// A figure in two groups of futures, as shown: the `high` one (its share
/// of runs, its median) and the `low` one; `why` names what sets them apart
/// (`funding`, `default`, or none).
pub(crate) struct Groups<'a> {
    /// The figure, starting a sentence: "Final cash".
    pub figure: &'a str,
    pub why: Option<&'a str>,
    pub high: (&'a str, &'a str),
    pub low: (&'a str, &'a str),
}

/// Finding: a figure falls into two groups of futures ([`Groups`]); `p50`
/// is the median of all futures, said to describe neither group when `middle`.
pub(crate) fn groups_finding(lang: Lang, g: &Groups, p50: &str, middle: bool) -> String {
    let (figure, (high_share, high_median), (low_share, low_median)) = (g.figure, g.high, g.low);
    let (hi, lo) = match (lang, g.why) {
        (Lang::En, Some("funding")) => (" that receive funding", " that do not"),
        (Lang::En, Some("default")) => (" that never run out of cash", " that do"),
        (Lang::Zh, Some("funding")) => ("（获得融资）", "（未获得融资）"),
        (Lang::Zh, Some("default")) => ("（从未耗尽现金）", "（耗尽现金）"),
        _ => ("", ""),
    };
    match (lang, middle) {
        (Lang::En, true) => format!(
            "{figure} falls into two groups of futures: in the {high_share}{hi}, its median is {high_median}; in the {low_share}{lo}, {low_median}. The median of all futures, {p50}, sits at the edge of a group and describes neither well."
        ),
        (Lang::En, false) => {
            format!("{figure} falls into two groups of futures: in the {high_share}{hi}, its median is {high_median}; in the {low_share}{lo}, {low_median}.")
        }
        (Lang::Zh, true) => format!(
            "{figure}分成两组情景：{high_share} 的情景{hi}中位数为 {high_median}；另外 {low_share}{lo}为 {low_median}。全部情景的中位数 {p50} 位于一组的边缘，不能代表任何一组。"
        ),
        (Lang::Zh, false) => format!("{figure}分成两组情景：{high_share} 的情景{hi}中位数为 {high_median}；另外 {low_share}{lo}为 {low_median}。"),
    }
}

/// A round whose month is drawn, on the cash chart: its odds and the
/// window of months it may come in.
pub(crate) fn round_window(lang: Lang, odds: &str, from: u32, to: u32) -> String {
    match lang {
        Lang::En => format!("{odds}, months {from}–{to}"),
        Lang::Zh => format!("{odds}，第 {from}–{to} 个月"),
    }
}

/// A two-valued input's values in the tornado table: "0 or 30,000,000".
pub(crate) fn either(lang: Lang, a: &str, b: &str) -> String {
    match lang {
        Lang::En => format!("{a} or {b}"),
        Lang::Zh => format!("{a} 或 {b}"),
    }
}

/// Finding: under the stress named `stress`, the chance of running out of
/// cash by month `months` becomes `value`, `diff` against the plan (both
/// formatted with their errors).
pub(crate) fn stress_finding(lang: Lang, stress: &str, months: u32, value: &str, diff: &str) -> String {
    let (h, v, d) = (months, value, diff);
    match lang {
        Lang::En => format!("If \u{201c}{stress}\u{201d}, the chance of running out of cash by month {h} becomes {v} ({d} against the plan as written)."),
        Lang::Zh => format!("如果「{stress}」，到第 {h} 个月耗尽现金的概率变为 {v}（较原计划 {d}）。"),
    }
}

/// Finding: each point of model accuracy adds (when `adds`, else takes)
/// `amount` (money with its error) to median final cash, between accuracy
/// `lo` and `hi` (percent); with planned model changes, the accuracy before
/// the first (in month `first_step`).
pub(crate) fn accuracy_finding(lang: Lang, amount: &str, (lo, hi): (f64, f64), adds: bool, first_step: Option<u32>) -> String {
    let before = match (lang, first_step) {
        (Lang::En, Some(m)) => format!(", before the planned change in month {m}"),
        (Lang::Zh, Some(m)) => format!("，第 {m} 个月计划变更之前"),
        _ => String::new(),
    };
    match (lang, adds) {
        (Lang::En, true) => format!("Each point of model accuracy adds about {amount} to median final cash (between {lo:.1}% and {hi:.1}% accuracy{before})."),
        (Lang::En, false) => {
            format!("Each point of model accuracy takes about {amount} from median final cash (between {lo:.1}% and {hi:.1}% accuracy{before}).")
        }
        (Lang::Zh, true) => format!("模型准确率每提高 1 个百分点，期末现金中位数约增加 {amount}（准确率 {lo:.1}% 至 {hi:.1}% 之间{before}）。"),
        (Lang::Zh, false) => format!("模型准确率每提高 1 个百分点，期末现金中位数约减少 {amount}（准确率 {lo:.1}% 至 {hi:.1}% 之间{before}）。"),
    }
}

/// Sentence: inputs `a` and `b` (named) have rank correlation `value`
/// (shown as `rank`): they move together when it is positive, in opposite
/// directions when negative.
pub fn correlation(lang: Lang, a: &str, b: &str, value: f64, rank: &str) -> String {
    match (lang, value < 0.0) {
        (Lang::En, false) => capitalised(&format!("{a} and {b} move together across futures: rank correlation {rank}.")),
        (Lang::En, true) => capitalised(&format!(
            "{a} and {b} move in opposite directions across futures: when one is high the other tends to be low (rank correlation {rank})."
        )),
        (Lang::Zh, false) => format!("{a}与{b}在各次模拟中同向变动：秩相关系数 {rank}。"),
        (Lang::Zh, true) => format!("{a}与{b}在各次模拟中反向变动：一方偏高时另一方往往偏低（秩相关系数 {rank}）。"),
    }
}

/// Row label: P(run out of cash) by month `m`.
pub fn p_default_by(lang: Lang, m: u32) -> String {
    match lang {
        Lang::En => format!("P(run out of cash) by month {m}"),
        Lang::Zh => format!("耗尽现金概率，截至第 {m} 个月"),
    }
}

/// The burn multiple's key figure when some futures are not burning:
/// led by the share not burning when that is most of them (a median of 0
/// says nothing), else the median followed by that share.
pub fn burn_multiple_cell(lang: Lang, not_burning: &str, median_all: &str, median_when_burning: &str, mostly_not_burning: bool) -> String {
    match (lang, mostly_not_burning) {
        (Lang::En, true) => format!("not burning in {not_burning} of futures; when burning, median {median_when_burning}"),
        (Lang::En, false) => format!("{median_all}; not burning in {not_burning} of futures"),
        (Lang::Zh, true) => format!("{not_burning} 的情景不烧钱；烧钱时中位数 {median_when_burning}"),
        (Lang::Zh, false) => format!("{median_all}；{not_burning} 的情景不烧钱"),
    }
}

/// A metric of the figure language in words: `final_cash` → "final
/// cash", `cash[24]` → "cash in month 24", `mrr.pro[12]` → "MRR of pro in
/// month 12" (with the plan's names), an input of a segment or role as
/// [`input_name_in`]; names it does not know as they are.
pub(crate) fn metric_words_in(m: &crate::figure::Metric, lang: Lang, names: &PlanNames) -> String {
    use crate::figure::Metric;
    let known: &[(&str, &str, &str)] = &[
        ("default_month", "the month cash runs out", "耗尽现金的月份"),
        ("breakeven_month", "the breakeven month", "盈亏平衡月份"),
        ("first_profit_month", "the first profitable month", "首个盈利月份"),
        ("final_customers", "final customers", "期末客户数"),
        ("final_mrr", "final MRR", "期末 MRR"),
        ("final_arr", "final ARR", "期末 ARR"),
        ("final_cash", "final cash", "期末现金"),
        ("min_cash", "the lowest cash", "最低现金"),
        ("min_cash_month", "the month of lowest cash", "现金最低的月份"),
        ("total_revenue", "total revenue", "总收入"),
        ("total_profit", "total profit", "总利润"),
        ("funding_received", "funding received", "获得的融资"),
        ("cac_paid", "paid CAC", "付费获客成本"),
        ("cac_blended", "blended CAC", "综合获客成本"),
        ("ltv", "LTV", "LTV"),
        ("ltv_cac_paid", "LTV / paid CAC", "LTV / 付费获客成本"),
        ("ltv_cac_blended", "LTV / blended CAC", "LTV / 综合获客成本"),
        ("payback_months", "CAC payback in months", "获客成本回收月数"),
        ("nrr", "net revenue retention", "净收入留存率"),
        ("grr", "gross revenue retention", "毛收入留存率"),
        ("gross_margin", "gross margin", "毛利率"),
        ("burn_multiple", "the burn multiple", "烧钱倍数"),
        ("quick_ratio", "the quick ratio", "增长效率比"),
        ("customers", "customers", "客户数"),
        ("new_customers", "new customers", "新增客户"),
        ("churned", "churned customers", "流失客户"),
        ("churn_rate", "the churn rate", "流失率"),
        ("accuracy", "model accuracy", "模型准确率"),
        ("mrr", "MRR", "MRR"),
        ("arr", "ARR", "ARR"),
        ("costs", "costs", "成本"),
        ("profit", "profit", "利润"),
        ("cash", "cash", "现金"),
        ("revenue", "revenue", "收入"),
    ];
    let plain = |n: &str| known.iter().find(|k| k.0 == n).map_or(n.to_string(), |k| lang.pick(k.1, k.2).to_string());
    // A segment's metric, `mrr.pro`: the metric's words and the segment's name.
    let name = |n: &str| match n.split_once('.') {
        Some((metric, segment)) => match lang {
            Lang::En => format!("{} of {}", plain(metric), names.segment(segment)),
            Lang::Zh => format!("{}的{}", names.segment(segment), plain(metric)),
        },
        None => plain(n),
    };
    match m {
        Metric::Run(i) => name(crate::figure::RUN_METRICS[*i].name),
        Metric::Input { path, .. } => input_name_in(path, lang, names),
        Metric::FundingMonth { round, .. } => match lang {
            Lang::En => format!("the month funding round {} is paid", round + 1),
            Lang::Zh => format!("第 {} 轮融资到账的月份", round + 1),
        },
        Metric::Monthly { name: n, month, .. } => match lang {
            Lang::En => format!("{} in month {month}", name(n)),
            Lang::Zh => format!("第 {month} 个月的{}", name(n)),
        },
    }
}

/// The accuracy sweep's scope when the plan has planned model changes: it
/// sets the accuracy before the first, in month `month`.
pub(crate) fn worth_before_steps(lang: Lang, month: u32) -> String {
    match lang {
        Lang::En => format!(
            "The values set the accuracy before the plan's first planned change (month {month}); each planned change keeps its own level, so this is what accuracy is worth in the months before it."
        ),
        Lang::Zh => format!(
            "这些数值设定的是计划中第一次模型变更（第 {month} 个月）之前的准确率；各次计划变更保持其自身水平，因此这里衡量的是变更之前各月准确率的价值。"
        ),
    }
}

/// A comparison in words: "at most" for `<=`.
pub(crate) fn cmp_words(cmp: crate::figure::Cmp, lang: Lang) -> &'static str {
    use crate::figure::Cmp;
    let (en, zh) = match cmp {
        Cmp::Lt => ("below", "低于"),
        Cmp::Le => ("at most", "不高于"),
        Cmp::Gt => ("above", "高于"),
        Cmp::Ge => ("at least", "不低于"),
        Cmp::Eq => ("equal to", "等于"),
    };
    lang.pick(en, zh)
}

/// A figure of the figure language in words, for a table cell: the
/// chance of running out of cash by month 36 for `P(default_month <= 36)`,
/// "median final cash" for `median(final_cash)`, "P(cash in month 24 below
/// 0)" for `P(cash[24] < 0)`. `value` writes the threshold.
pub(crate) fn figure_words(f: &crate::figure::Figure, lang: Lang, names: &PlanNames, value: &dyn Fn(f64) -> String) -> String {
    use crate::figure::{Cmp, Figure, Metric, Stat};
    match f {
        Figure::Prob(m @ Metric::Run(_), Cmp::Le | Cmp::Lt, x) if m.to_string() == "default_month" => {
            let by = if matches!(f, Figure::Prob(_, Cmp::Lt, _)) { x.ceil() - 1.0 } else { x.floor() };
            p_default_by(lang, by.max(0.0) as u32)
        }
        Figure::Prob(m, cmp, x) => {
            let cmp = cmp_words(*cmp, lang);
            match lang {
                Lang::En => format!("P({} {cmp} {})", metric_words_in(m, lang, names), value(*x)),
                Lang::Zh => format!("{}{cmp} {} 的概率", metric_words_in(m, lang, names), value(*x)),
            }
        }
        Figure::Stat(stat, m) => {
            let metric = metric_words_in(m, lang, names);
            let metric = metric.strip_prefix("the ").unwrap_or(&metric);
            match (stat, lang) {
                (Stat::Quantile(50), Lang::En) => format!("median {metric}"),
                (Stat::Quantile(50), Lang::Zh) => format!("{metric}中位数"),
                (Stat::Quantile(p), Lang::En) => format!("p{p} of {metric}"),
                (Stat::Quantile(p), Lang::Zh) => format!("{metric} P{p}"),
                (Stat::Mean, Lang::En) => format!("mean {metric}"),
                (Stat::Mean, Lang::Zh) => format!("{metric}均值"),
                (Stat::Sd, Lang::En) => format!("standard deviation of {metric}"),
                (Stat::Sd, Lang::Zh) => format!("{metric}标准差"),
                (Stat::Min, Lang::En) => format!("lowest {metric} of any future"),
                (Stat::Min, Lang::Zh) => format!("各模拟情景中{metric}的最小值"),
                (Stat::Max, Lang::En) => format!("highest {metric} of any future"),
                (Stat::Max, Lang::Zh) => format!("各模拟情景中{metric}的最大值"),
            }
        }
    }
}

/// Month `m` in words: "month 14", "第 14 个月".
pub(crate) fn in_month(lang: Lang, m: u32) -> String {
    match lang {
        Lang::En => format!("month {m}"),
        Lang::Zh => format!("第 {m} 个月"),
    }
}

/// Row label: customers at the end of month `m`.
pub(crate) fn customers_in(lang: Lang, m: u32) -> String {
    match lang {
        Lang::En => format!("Customers, month {m}"),
        Lang::Zh => format!("客户数，第 {m} 个月"),
    }
}

/// Row label: MRR at the end of month `m`.
pub(crate) fn mrr_in(lang: Lang, m: u32) -> String {
    match lang {
        Lang::En => format!("MRR, month {m}"),
        Lang::Zh => format!("MRR，第 {m} 个月"),
    }
}

/// Formats numbers and money for one language and currency.
#[derive(Debug, Clone)]
pub struct Numbers {
    pub lang: Lang,
    /// Prefix for money, e.g. `¥`, `$`, `EUR `.
    symbol: String,
    /// Runs behind every share, for the 95% bound of a share of 0 or 1.
    runs: u64,
}

impl Numbers {
    pub fn new(lang: Lang, currency: Option<&str>, runs: u64) -> Numbers {
        let symbol = match currency {
            Some("CNY" | "RMB" | "JPY") => "¥".to_string(),
            Some("USD") => "$".into(),
            Some("EUR") => "€".into(),
            Some("GBP") => "£".into(),
            Some(other) => format!("{other} "),
            None => String::new(),
        };
        Numbers { lang, symbol, runs }
    }

    /// A count, grouped: `13,718` (both languages; 万 is kept for money).
    pub fn count(&self, x: f64) -> String {
        if !x.is_finite() {
            return "—".into();
        }
        crate::num::number(x, if x.abs() < 100.0 && x.fract() != 0.0 { 2 } else { 0 })
    }

    /// An input's value to about four significant digits: `0.002`,
    /// `12.5`, `1,500`, `¥` not added.
    pub fn value(&self, x: f64) -> String {
        if !x.is_finite() {
            return "—".into();
        }
        if self.lang == Lang::Zh && x.abs() >= 1e4 {
            // 万 and 亿, as Chinese writes large numbers: 13.5万, 1.2亿.
            return wan_axis(x);
        }
        if x == 0.0 {
            return "0".into();
        }
        if x.abs() >= 1000.0 {
            // Four significant digits at most: 2,213,000, not 2,212,977.
            let place = (x.abs().log10().floor() as i32 - 3).max(0);
            return crate::num::number(crate::num::round_to(x, place), 0);
        }
        crate::num::trimmed(x, (3 - x.abs().log10().floor() as i64).clamp(0, 8) as usize)
    }

    /// Money, e.g. `¥4,467,430` or `¥446.7万`.
    pub fn money(&self, x: f64) -> String {
        if !x.is_finite() {
            return "—".into();
        }
        // Whole currency units: `$5`, not `$4.82`.
        let x = x.round();
        let sign = if x < 0.0 { "-" } else { "" };
        let amount = match self.lang {
            Lang::En => self.count(x.abs()),
            Lang::Zh => wan(x.abs()),
        };
        format!("{sign}{}{amount}", self.symbol)
    }

    /// Money with its standard error, both rounded to the digit the error
    /// supports ([`crate::num::error_place`]) and written in one unit:
    /// `$292k ± 4k`, `$11.14M ± 0.05M`, `¥29.2万 ± 0.4万`; an error of 0
    /// (an exact figure) shows the amount alone.
    pub(crate) fn money_se(&self, x: Option<f64>, se: Option<f64>) -> String {
        let Some(x) = x else { return "—".into() };
        // Without an error, the three significant digits of a table's money.
        let Some(place) = se.and_then(crate::num::error_place) else { return self.money_short(x) };
        // Money is not written below its whole units: an error of $0.002
        // (a difference that is nothing) shows as the amount alone.
        let place = place.max(0);
        let e = crate::num::round_to(se.unwrap_or(0.0), place);
        if e == 0.0 {
            return self.money(crate::num::round_to(x, 0));
        }
        let (name, amount) = self.scaled(x.abs().max(e), place);
        format!("{}{}{}{name} ± {}{name}", sign(crate::num::round_to(x, place)), self.symbol, amount(x), amount(e))
    }

    /// Money to about three significant digits, in a unit (`$2.29M`,
    /// `$364k`, `¥229万`, `¥1.23亿`): a table's median or range, whose error
    /// the table does not show.
    pub fn money_short(&self, x: f64) -> String {
        if !x.is_finite() {
            return "—".into();
        }
        if x == 0.0 {
            return self.money(0.0);
        }
        // Three significant digits, whole currency units at least.
        let place = (x.abs().log10().floor() as i32 - 2).max(0);
        let v = crate::num::round_to(x, place);
        let (name, amount) = self.scaled(v.abs(), place);
        format!("{}{}{}{name}", sign(v), self.symbol, amount(v))
    }

    /// How money rounded at `10^place` is written when the largest amount
    /// shown is `size`: the unit's name ([`Numbers::unit`]) and the
    /// magnitude of an amount in it, with the decimals the place needs.
    fn scaled(&self, size: f64, place: i32) -> (&'static str, impl Fn(f64) -> String) {
        let (unit, name) = self.unit(size, place);
        let decimals = (unit.log10().round() as i32 - place).max(0) as usize;
        (name, move |a: f64| crate::num::number(crate::num::round_to(a, place).abs() / unit, decimals))
    }

    /// The unit money of size `size`, rounded at `10^place`, is written in:
    /// k, M, B (万, 亿 in Chinese), the largest that needs at most three
    /// decimals (two for k and 万: `45.68k` but not `45.678k`); none below
    /// ten thousand.
    fn unit(&self, size: f64, place: i32) -> (f64, &'static str) {
        let units: &[(f64, &str, i32)] = match self.lang {
            Lang::En => &[(1e9, "B", 3), (1e6, "M", 3), (1e3, "k", 2)],
            Lang::Zh => &[(1e8, "亿", 3), (1e4, "万", 2)],
        };
        if size < 1e4 {
            return (1.0, "");
        }
        let fits = |&&(u, _, most): &&(f64, &str, i32)| size >= u * 0.99995 && u.log10().round() as i32 - place <= most;
        units.iter().find(fits).map_or((1.0, ""), |&(u, name, _)| (u, name))
    }

    /// A figure of the figure language as the terminal shows it
    /// ([`text::figure_text`]: `x ± se`, a bound), money in the
    /// report's style when `money`; a tied quantile (mostly a month or a
    /// count) as its 95% interval in plain numbers, `23 (95%: 22–23)`.
    pub fn figure(&self, v: &crate::figure::FigureValue, probability: bool, money: bool) -> String {
        match v.interval() {
            Some(_) => self.interval(text::figure_text(v, false)),
            None if probability => self.share_se(v.estimate, v.se),
            None if money => self.money_se(v.estimate, v.se),
            None => text::figure_value(v.estimate, v.se, false),
        }
    }

    /// A paired difference: percentage points for a share, money when
    /// `money`, a tied quantile's interval (`+6 (95%: +6)`) in plain numbers.
    pub fn difference(&self, d: &crate::figure::Difference, probability: bool, money: bool) -> String {
        match d.interval() {
            Some(_) => self.interval(text::difference_text(d, false)),
            None if probability => self.points_se(d.diff, d.se),
            None if money => self.money_se(d.diff, d.se),
            None => text::signed_figure_value(d.diff, d.se, false),
        }
    }

    /// A value with its 95% interval as the terminal writes it,
    /// `23 (95%: 22–23)`, in the report's language: `23（95%：22–23）`,
    /// `从未` for never, `至` for "to".
    fn interval(&self, text: String) -> String {
        match self.lang {
            Lang::En => text,
            Lang::Zh => text.replacen(" (95%: ", "（95%：", 1).replace(')', "）").replace("never", "从未").replace(" to ", " 至 "),
        }
    }

    /// A share with its error, digits following the error: `4.0% ± 0.2%`.
    pub(crate) fn share_se(&self, p: Option<f64>, se: Option<f64>) -> String {
        let (value, error) = text::share(&crate::aggregate::Estimate { estimate: p, se }, self.runs);
        match (self.lang, error.starts_with('(')) {
            (Lang::Zh, true) => format!("{value}（95% {}）", if value.starts_with('<') { "上限" } else { "下限" }),
            _ if error.is_empty() => value,
            _ => format!("{value} {error}"),
        }
    }

    /// A change in a probability, in percentage points: `+6.9 ± 0.3 pp`,
    /// `+6.9 ± 0.3 个百分点`.
    pub(crate) fn points_se(&self, d: Option<f64>, se: Option<f64>) -> String {
        let Some(d) = d else { return "—".into() };
        let text = text::signed_figure_value(Some(d), se, true).replace('%', "");
        format!("{text} {}", self.lang.pick("pp", "个百分点"))
    }

    /// A compact axis label: `1.2M`, `350k` / `120万`, `1.2亿`.
    pub fn axis(&self, x: f64) -> String {
        let a = x.abs();
        let s = match self.lang {
            Lang::Zh => return wan_axis(x),
            Lang::En if a >= 1e9 => format!("{}B", trim(a / 1e9)),
            Lang::En if a >= 1e6 => format!("{}M", trim(a / 1e6)),
            Lang::En if a >= 1e3 => format!("{}k", trim(a / 1e3)),
            Lang::En => trim(a),
        };
        if x < 0.0 { format!("-{s}") } else { s }
    }
}

/// `-` before a negative amount (its symbol and digits follow).
fn sign(x: f64) -> &'static str {
    if x < 0.0 { "-" } else { "" }
}

fn trim(x: f64) -> String {
    crate::num::trimmed(x, 2)
}

/// A Chinese amount: below 1万 as it is, then 万 with one decimal, and 亿
/// with two.
fn wan(x: f64) -> String {
    let a = x.abs();
    let sign = if x < 0.0 { "-" } else { "" };
    // Thresholds as rounded: 99,999,999 is 1.00亿, not 10,000.0万.
    if a >= 0.99995e8 {
        format!("{sign}{}亿", crate::num::number(a / 1e8, 2))
    } else if a >= 0.99995e4 {
        format!("{sign}{}万", crate::num::number(a / 1e4, 1))
    } else {
        format!("{sign}{}", crate::num::number(a, if a < 100.0 && a.fract() != 0.0 { 2 } else { 0 }))
    }
}

fn wan_axis(x: f64) -> String {
    let a = x.abs();
    let sign = if x < 0.0 { "-" } else { "" };
    if a >= 1e8 {
        format!("{sign}{}亿", trim(a / 1e8))
    } else if a >= 1e4 {
        format!("{sign}{}万", trim(a / 1e4))
    } else {
        format!("{sign}{}", trim(a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capitalised_starts_a_sentence() {
        assert_eq!(capitalised("monthly churn (churn.base) and x"), "Monthly churn (churn.base) and x");
        assert_eq!(capitalised(""), "");
        assert_eq!(capitalised("第 2 轮"), "第 2 轮");
    }

    #[test]
    fn segments_and_roles_are_named_as_the_plan_names_them() {
        let names = PlanNames { segments: vec![("pro".into(), "专业版".into())], roles: vec!["研发".into()] };
        assert_eq!(input_name_in("segment.pro.churn", Lang::Zh, &names), "专业版月流失率 (segment.pro.churn)");
        assert_eq!(input_name_in("team.0.count@13", Lang::Zh, &names), "第 13 个月起的研发人数 (team.0.count@13)");
        let names = PlanNames { segments: vec![("pro".into(), "pro".into())], roles: vec!["engineering".into()] };
        assert_eq!(input_name_in("segment.pro.new", Lang::En, &names), "pro: new customers a month (segment.pro.new)");
        assert_eq!(input_name_in("team.0.count@13", Lang::En, &names), "engineering: headcount from month 13 (team.0.count@13)");
        assert_eq!(input_name_in("funding.0.month", Lang::En, &names), "the month of funding round 1 (funding.0.month)");
        // A role index the plan does not have, and an unknown key: the path.
        assert_eq!(input_name_in("team.4.count", Lang::En, &names), "team.4.count");
        assert_eq!(input_name_in("segment.pro.colour", Lang::En, &names), "segment.pro.colour");
        let mrr = crate::figure::Metric::Monthly { metric: 0, name: "mrr.pro".into(), month: 12 };
        assert_eq!(metric_words_in(&mrr, Lang::En, &names), "MRR of pro in month 12");
    }

    #[test]
    fn inputs_have_names() {
        assert_eq!(input_name("funding.0.amount", Lang::En), "the amount of funding round 1 (funding.0.amount)");
        assert_eq!(input_name("churn.base", Lang::Zh), "月流失率 (churn.base)");
        assert_eq!(input_name("something.new", Lang::En), "something.new");
        assert_eq!(input_name("costs.fixed@25", Lang::En), "fixed costs from month 25 (costs.fixed@25)");
        assert_eq!(input_name("costs.fixed@25", Lang::Zh), "第 25 个月起的固定成本 (costs.fixed@25)");
    }

    #[test]
    fn figures_read_as_words() {
        use crate::figure::{Cmp, Figure, Metric, Stat};
        let run = |name: &str| Metric::Run(crate::figure::RUN_METRICS.iter().position(|m| m.name == name).unwrap());
        let v = |x: f64| crate::num::trimmed(x, 2);
        let p = Figure::Prob(run("default_month"), Cmp::Le, 36.0);
        assert_eq!(figure_words(&p, Lang::En, &PlanNames::default(), &v), "P(run out of cash) by month 36");
        assert_eq!(figure_words(&p, Lang::Zh, &PlanNames::default(), &v), "耗尽现金概率，截至第 36 个月");
        let lt = Figure::Prob(run("default_month"), Cmp::Lt, 24.0);
        assert_eq!(figure_words(&lt, Lang::En, &PlanNames::default(), &v), "P(run out of cash) by month 23");
        assert_eq!(figure_words(&Figure::Stat(Stat::Quantile(50), run("final_cash")), Lang::En, &PlanNames::default(), &v), "median final cash");
        assert_eq!(figure_words(&Figure::Stat(Stat::Quantile(10), run("min_cash")), Lang::Zh, &PlanNames::default(), &v), "最低现金 P10");
        assert_eq!(figure_words(&Figure::Stat(Stat::Mean, run("total_profit")), Lang::Zh, &PlanNames::default(), &v), "总利润均值");
        let cash24 = Metric::Monthly { metric: 0, name: "cash".into(), month: 24 };
        assert_eq!(figure_words(&Figure::Prob(cash24.clone(), Cmp::Lt, 0.0), Lang::En, &PlanNames::default(), &v), "P(cash in month 24 below 0)");
        assert_eq!(figure_words(&Figure::Prob(cash24, Cmp::Lt, 0.0), Lang::Zh, &PlanNames::default(), &v), "第 24 个月的现金低于 0 的概率");
    }

    #[test]
    fn money_reads_as_people_write_it() {
        let en = Numbers::new(Lang::En, Some("CNY"), 10_000);
        let zh = Numbers::new(Lang::Zh, Some("CNY"), 10_000);
        assert_eq!(en.money(4_467_430.4), "¥4,467,430");
        assert_eq!(zh.money(4_467_430.4), "¥446.7万");
        assert_eq!(zh.money(-123_456_789.0), "-¥1.23亿");
        assert_eq!(zh.money(950.0), "¥950");
        assert_eq!(zh.money(99_999_999.0), "¥1.00亿");
        assert_eq!(zh.count(13_906.0), "13,906");
        assert_eq!(zh.value(135_000.0), "13.5万");
        assert_eq!(zh.value(30_000_000.0), "3000万");
        assert_eq!(en.value(135_000.0), "135,000");
        assert_eq!(en.value(0.002), "0.002");
        assert_eq!(en.value(12.5), "12.5");
        assert_eq!(en.value(0.91234), "0.9123");
        assert_eq!(en.value(0.0), "0");
        assert_eq!(en.value(2_212_977.0), "2,213,000");
        assert_eq!(en.value(-4_518.8), "-4,519");
        assert_eq!(en.points_se(Some(0.069), Some(0.003)), "+6.9 ± 0.3 pp");
        assert_eq!(en.axis(-2_500_000.0), "-2.5M");
        assert_eq!(zh.axis(12_000_000.0), "1200万");
        assert_eq!(Numbers::new(Lang::En, Some("SEK"), 10_000).money(10.0), "SEK 10");
        assert_eq!(zh.money_se(Some(43_688.0), Some(1_774.0)), "¥4.37万 ± 0.18万");
        assert_eq!(zh.money_se(Some(4_467_430.0), Some(51_468.0)), "¥447万 ± 5万");
        assert_eq!(zh.money_se(Some(291_841.0), Some(4_230.0)), "¥29.2万 ± 0.4万");
        assert_eq!(en.money_se(Some(-87_700.0), Some(27_891.0)), "-¥88k ± 28k");
        assert_eq!(en.money_se(Some(291_841.0), Some(4_230.0)), "¥292k ± 4k");
        assert_eq!(en.money_se(Some(11_135_543.0), Some(54_376.0)), "¥11.14M ± 0.05M");
        assert_eq!(en.money_se(Some(45_678.0), Some(23.0)), "¥45,678 ± 23");
        assert_eq!(en.money_se(Some(8_073_709.0), Some(24_942.0)), "¥8.074M ± 0.025M");
        assert_eq!(en.money_se(Some(1_000.0), Some(0.0)), "¥1,000");
        // Below a whole unit: the amount alone, not $0.0000 ± 0.0020.
        assert_eq!(en.money_se(Some(0.0), Some(0.002)), "¥0");
        assert_eq!(en.money_se(Some(12.3), Some(0.4)), "¥12");
        // Without an error: three significant digits, as a table writes money.
        assert_eq!(en.money_se(Some(-1_733_120.0), None), "-¥1.73M");
        assert_eq!(en.money_short(2_286_589.0), "¥2.29M");
        assert_eq!(en.money_short(-963_655.0), "-¥964k");
        assert_eq!(en.money_short(950.0), "¥950");
        assert_eq!(en.money_short(49.4), "¥49");
        assert_eq!(zh.money_short(2_286_589.0), "¥229万");
        assert_eq!(zh.money_short(123_456_789.0), "¥1.23亿");
    }
}
