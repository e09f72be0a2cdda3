// Small helpers shared by the pages.
import { me } from "./store.js";

// Does any of the caller's grants allow `perm` ("work:view")? Menus and buttons follow it;
// the server still decides every request.
export function can(perm) {
  return me.grants.some((g) => g.permissions?.includes(perm));
}

// Exports answer a short-lived, single-use link (`downloadUrl`, GET /files/<token>): the
// browser fetches the file itself, named by the server (Content-Disposition), so nothing is
// decoded in the page and a large file is not held in memory twice.
export function download(url, filename) {
  const a = document.createElement("a");
  a.href = url;
  a.download = filename || "";
  document.body.appendChild(a);
  a.click();
  a.remove();
}

// A file made in the page itself (the policy document): saved from a Blob.
export function saveBlob(filename, blob) {
  const url = URL.createObjectURL(blob);
  download(url, filename);
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function fileToBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

export function fmtTime(value) {
  if (!value) return "";
  const d = new Date(value);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function isoDate(d) {
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export function pct(rate) {
  return `${(Number(rate || 0) * 100).toFixed(1)}%`;
}

export const LABELS = {
  level: { PROVINCE: "省", CITY: "市", COUNTY: "县", GRASSROOTS: "基层团委", GENERAL_BRANCH: "团总支", BRANCH: "团支部" },
  cadreKind: { FULL_TIME: "专职", SECONDED: "挂职", PART_TIME: "兼职" },
  logKind: {
    CONTACT: "联系", ACTIVITY: "活动", PRACTICAL_DEED: "办一件实事", LEAGUE_LESSON: "上一堂团课",
    HEART_TALK: "谈心谈话", VOLUNTEER: "志愿服务", CULTURE_SPORTS: "文体活动",
    ORGAN_OPEN_DAY: "机关开放", FACE_TO_FACE: "面对面", SHARING: "“1+100”分享",
    SELF_DESIGNED: "自主设计的集体活动",
  },
  channel: { FACE_TO_FACE: "面对面", PHONE: "电话", WECHAT: "微信", QQ: "QQ", WEIBO: "微博", OTHER: "其他" },
  role: {
    province_admin: "团省委管理员", policy_admin: "权限管理员", city_admin: "市级团委管理员",
    county_admin: "县级团委管理员", working_group_leader: "工作小组组长", cadre: "团干部",
    auditor: "审计员", youth: "小伙伴", system_admin: "系统管理员",
  },
  object: {
    ORG: "团组织", CADRE: "团干部", YOUTH: "小伙伴", GRANT: "授权", POLICY: "策略", AUDIT: "审计",
    WORK: "工作", REPORT: "报送", QUOTA: "指标", GROUP: "工作小组", VOICE: "青年之声",
    WISH: "心愿", RESOURCE: "资源", RATING: "评价", POST: "文化产品", CAMPAIGN: "集中活动",
  },
  action: { VIEW: "查看", MANAGE: "管理", APPROVE: "审批", VIEW_PERSONAL: "查看个人信息" },
};
export function label(kind, key) {
  return (LABELS[kind] && LABELS[kind][key]) || key || "";
}
