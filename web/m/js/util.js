// Chinese names of the API's enums (the SDL's descriptions), and small shared helpers.
const { showFailToast } = vant;

export const ACTIVITY = {
  PRACTICAL_DEED: "办一件实事",
  LEAGUE_LESSON: "上一堂团课",
  HEART_TALK: "谈心谈话",
  VOLUNTEER: "志愿服务",
  CULTURE_SPORTS: "文体活动",
  ORGAN_OPEN_DAY: "机关开放",
  FACE_TO_FACE: "面对面",
  SHARING: "“1+100”分享",
  SELF_DESIGNED: "自主设计活动",
};
export const CHANNEL = {
  WECHAT: "微信",
  FACE_TO_FACE: "面对面",
  PHONE: "电话",
  QQ: "QQ",
  WEIBO: "微博",
  OTHER: "其他",
};
export const CONTACT_STATUS = { INVITED: "待确认", ACTIVE: "已联系", LEFT: "已结束" };
export const VOICE_KIND = { OPINION: "意见", SUGGESTION: "建议", QUESTION: "咨询" };
export const VOICE_STATUS = { OPEN: "待回复", ANSWERED: "已回复", CLOSED: "已关闭" };
export const WISH_CATEGORY = {
  STUDY: "学习",
  EMPLOYMENT: "就业创业",
  LIFE: "生活困难",
  HEALTH: "身心健康",
  CULTURE: "文体",
  OTHER: "其他",
};
export const WISH_STATUS = {
  SUBMITTED: "已提交",
  ACCEPTED: "团干部已认领",
  ESCALATED: "已进入心愿池",
  CLAIMED: "资源方已认领",
  FULFILLED: "已实现，待确认",
  CONFIRMED: "已确认实现",
  WITHDRAWN: "已撤回",
  REJECTED: "未受理",
};
export const WISH_ACTION = {
  ACCEPT: "认领",
  REJECT: "不予受理",
  ESCALATE: "提交心愿池",
  CLAIM: "以资源认领",
  FULFIL: "已实现",
  CONFIRM: "确认实现",
  WITHDRAW: "撤回",
};
export const LEARN_KIND = {
  STUDY: "学习",
  ORG_LIFE_MEETING: "组织生活会",
  OATH_RENEWAL: "重温入团誓词",
  VOLUNTEER: "志愿服务",
  ONLINE_THEME_DAY: "网上主题团日",
  LEAGUE_LESSON: "团课",
  SELF_REVIEW: "组织自查整顿",
  SELECT_MODELS: "评选先进典型",
  VANGUARD_POST: "创建团员先锋岗（队）",
};

export function options(labels) {
  return Object.entries(labels).map(([value, text]) => ({ value, text }));
}

const pad = (n) => String(n).padStart(2, "0");

export function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return `${d.getMonth() + 1}月${d.getDate()}日 ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function day(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.slice(0, 10).split("-");
  return `${y}年${Number(m)}月${Number(d)}日`;
}

// <input type="datetime-local"> speaks local time without a zone; the API wants a zone.
export function localInput(date = new Date()) {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

export function withZone(local) {
  return new Date(local).toISOString();
}

export function today() {
  return localInput().slice(0, 10);
}

export function fail(error) {
  if (error.extensions && error.extensions.reason === "CONSENT_REQUIRED") {
    // Voices, wishes and ratings wait for the privacy policy: go there, then come back.
    const back = location.pathname.replace(/^\/m/, "");
    location.assign("/m/y/consent?next=" + encodeURIComponent(back));
    return;
  }
  showFailToast({ message: error.message || "操作失败", wordBreak: "break-word" });
}

// Run a page's load or action, showing the server's message on failure.
export async function attempt(work) {
  try {
    return await work();
  } catch (e) {
    fail(e);
    return undefined;
  }
}
