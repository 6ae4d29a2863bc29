//! The report's words in English and Chinese, and numbers formatted for
//! people: thousands separators and the scenario's currency in English,
//! 万 (10⁴) and 亿 (10⁸) in Chinese.

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

    /// `en` or `zh`: picks the text for this language.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
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

/// An input's dotted path in words, e.g. `funding.0.amount` → "the amount
/// of funding round 1"; paths it does not know are returned as they are.
pub fn input_name(path: &str, lang: Lang) -> String {
    // A schedule's later step, `costs.fixed@25`: the input's words and its month.
    if let Some((base, month)) = path.split_once('@') {
        let words = input_name(base, lang);
        let words = words.strip_suffix(&format!(" ({base})")).unwrap_or(&words);
        return match lang {
            Lang::En => format!("{words} from month {month} ({path})"),
            Lang::Zh => format!("第 {month} 个月起的{words} ({path})"),
        };
    }
    let parts: Vec<&str> = path.split('.').collect();
    let nth = |i: &str| i.parse::<usize>().map_or(i.to_string(), |n| (n + 1).to_string());
    let named = match (parts.as_slice(), lang) {
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
                ("accuracy.retrain.cost", "the cost of retraining", "重新训练成本"),
                ("costs.fixed", "fixed costs", "固定成本"),
                ("costs.fixed_growth", "growth of fixed costs", "固定成本增长率"),
                ("costs.per_customer", "cost per customer", "单客户成本"),
                ("costs.revenue_share", "the revenue share paid out", "收入分成比例"),
            ];
            match known.iter().find(|(p, _, _)| *p == path) {
                Some((_, en, zh)) => lang.pick(en, zh).to_string(),
                None => return path.to_string(),
            }
        }
    };
    format!("{named} ({path})")
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
        if x.abs() >= 1000.0 || x == 0.0 {
            return crate::num::number(x, 0);
        }
        crate::num::trimmed(x, (3 - x.abs().log10().floor() as i64).clamp(0, 8) as usize)
    }

    /// Money, e.g. `¥4,467,430` or `¥446.7万`.
    pub fn money(&self, x: f64) -> String {
        if !x.is_finite() {
            return "—".into();
        }
        let sign = if x < 0.0 { "-" } else { "" };
        let amount = match self.lang {
            Lang::En => self.count(x.abs()),
            Lang::Zh => wan(x.abs()),
        };
        format!("{sign}{}{amount}", self.symbol)
    }

    /// Money with its standard error: `¥4,467,430 ± 51,468`; in Chinese
    /// both in the value's unit, with digits to the error's second
    /// significant one: `¥4.37万 ± 0.18万`.
    pub fn money_se(&self, x: Option<f64>, se: Option<f64>) -> String {
        match (x, se) {
            (Some(x), Some(se)) if self.lang == Lang::Zh && x.abs().max(se) >= 1e4 && se.is_finite() => {
                let (unit, name, min) = if x.abs() >= 0.99995e8 { (1e8, "亿", 2) } else { (1e4, "万", 1) };
                let d = if se > 0.0 { ((1.0 - (se / unit).log10().floor()) as i64).clamp(min, 4) as usize } else { min as usize };
                let sign = if x < 0.0 { "-" } else { "" };
                format!("{sign}{}{}{name} ± {}{name}", self.symbol, crate::num::number(x.abs() / unit, d), crate::num::number(se / unit, d))
            }
            (Some(x), Some(se)) => format!("{} ± {}", self.money(x), if self.lang == Lang::Zh { wan(se) } else { self.count(se) }),
            (Some(x), None) => self.money(x),
            (None, _) => "—".into(),
        }
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
    pub fn share_se(&self, p: Option<f64>, se: Option<f64>) -> String {
        let (value, error) = text::share(&crate::aggregate::Estimate { estimate: p, se }, self.runs);
        match (self.lang, error.starts_with('(')) {
            (Lang::Zh, true) => format!("{value}（95% {}）", if value.starts_with('<') { "上限" } else { "下限" }),
            _ if error.is_empty() => value,
            _ => format!("{value} {error}"),
        }
    }

    /// A change in a probability, in percentage points: `+6.9 ± 0.3 pp`,
    /// `+6.9 ± 0.3 个百分点`.
    pub fn points_se(&self, d: Option<f64>, se: Option<f64>) -> String {
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
    fn inputs_have_names() {
        assert_eq!(input_name("funding.0.amount", Lang::En), "the amount of funding round 1 (funding.0.amount)");
        assert_eq!(input_name("churn.base", Lang::Zh), "月流失率 (churn.base)");
        assert_eq!(input_name("something.new", Lang::En), "something.new");
        assert_eq!(input_name("costs.fixed@25", Lang::En), "fixed costs from month 25 (costs.fixed@25)");
        assert_eq!(input_name("costs.fixed@25", Lang::Zh), "第 25 个月起的固定成本 (costs.fixed@25)");
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
        assert_eq!(en.value(0.002), "0.002");
        assert_eq!(en.value(12.5), "12.5");
        assert_eq!(en.value(0.91234), "0.9123");
        assert_eq!(en.points_se(Some(0.069), Some(0.003)), "+6.9 ± 0.3 pp");
        assert_eq!(en.axis(-2_500_000.0), "-2.5M");
        assert_eq!(zh.axis(12_000_000.0), "1200万");
        assert_eq!(Numbers::new(Lang::En, Some("SEK"), 10_000).money(10.0), "SEK 10");
        assert_eq!(zh.money_se(Some(43_688.0), Some(1_774.0)), "¥4.37万 ± 0.18万");
        assert_eq!(zh.money_se(Some(4_467_430.0), Some(51_468.0)), "¥446.7万 ± 5.1万");
        assert_eq!(en.money_se(Some(-87_700.0), Some(27_891.0)), "-¥87,700 ± 27,891");
    }
}
